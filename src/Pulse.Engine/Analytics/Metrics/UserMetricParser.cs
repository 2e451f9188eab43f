using System.Text.Json;
using Pulse.Analytics.Patterns;
using Pulse.Analytics.Predicates;

namespace Pulse.Analytics.Metrics;

/// <summary>
/// Parses <c>{"kind": "metric", "filter": {...}, "aggregate": "sum", "field": "revenue", "group_by": ["country"],
/// "window": {"type": "hopping", "size": "10m", "hop": "1m"}, "retention": "30d", "max_groups": 1000}</c>,
/// collecting every mistake with its JSON path.
/// </summary>
public static class UserMetricParser
{
    public const int MaxGroupBy = 3;
    public const int MaxMaxGroups = 1_000_000;
    public const string Example = """{"kind": "metric", "filter": {"type": "purchase"}, "aggregate": "sum", "field": "revenue", "group_by": ["country"]}""";
    private static readonly string[] Fields = ["kind", "filter", "aggregate", "field", "group_by", "window", "retention", "max_groups", "description"];
    private static readonly string[] Aggregates = ["count", "sum", "avg", "min", "max", "unique", "percentile"];
    private static readonly long[] Hops = [60_000, 3_600_000, 86_400_000];

    public static UserMetric? Parse(string name, JsonElement root, List<DefinitionError> errors)
    {
        int before = errors.Count;
        DefinitionFields.Check(root, "", Fields, string.Join(", ", Fields), errors);

        EventPredicate? filter = root.TryGetProperty("filter", out JsonElement f) ? PredicateParser.Parse(f, "filter", errors) : null;
        MetricAggregate? aggregate = ParseAggregate(root, errors);
        MetricField? field = ParseField(root, aggregate, errors);
        List<MetricField> groupBy = ParseGroupBy(root, errors);
        (MetricWindow window, long size, long hop) = ParseWindow(root, errors);
        long retention = 0;
        if (root.TryGetProperty("retention", out JsonElement r) && (r.ValueKind != JsonValueKind.String || !DurationText.TryParse(r.GetString(), out retention) || retention < 3_600_000))
        {
            errors.Add(new DefinitionError("retention", $"{PredicateParser.Describe(r)} is not a duration of at least 1h, like \"30d\" (leave it out to keep the store's retention)"));
        }

        int maxGroups = UserMetric.DefaultMaxGroups;
        if (root.TryGetProperty("max_groups", out JsonElement m) && (!m.TryGetInt32(out maxGroups) || maxGroups < 1 || maxGroups > MaxMaxGroups))
        {
            errors.Add(new DefinitionError("max_groups", $"must be a whole number from 1 to {MaxMaxGroups} (got {PredicateParser.Describe(m)}): the most groups a bucket keeps before the rest go to \"(other)\""));
        }

        string? description = DefinitionFields.Description(root, errors);

        return errors.Count != before || aggregate is null
            ? null
            : new UserMetric(name, filter, aggregate.Value, field, groupBy, window, size, hop, retention, maxGroups, description);
    }

    private static MetricAggregate? ParseAggregate(JsonElement root, List<DefinitionError> errors)
    {
        if (!root.TryGetProperty("aggregate", out JsonElement a) || a.ValueKind != JsonValueKind.String || Array.IndexOf(Aggregates, a.GetString()) < 0)
        {
            string got = root.TryGetProperty("aggregate", out JsonElement g) ? $" (got {PredicateParser.Describe(g)})" : "";
            errors.Add(new DefinitionError("aggregate", $"required: one of {string.Join(", ", Aggregates)}{got}, e.g. {Example}"));
            return null;
        }

        return (MetricAggregate)Array.IndexOf(Aggregates, a.GetString());
    }

    private static MetricField? ParseField(JsonElement root, MetricAggregate? aggregate, List<DefinitionError> errors)
    {
        bool has = root.TryGetProperty("field", out JsonElement f);
        if (aggregate is null)
        {
            return null;
        }

        if (aggregate == MetricAggregate.Count)
        {
            if (has)
            {
                errors.Add(new DefinitionError("field", "'count' counts events and takes no field; use 'sum', 'avg', 'min', 'max', 'percentile' of a number or 'unique' of a field"));
            }

            return null;
        }

        if (!has)
        {
            if (aggregate == MetricAggregate.Unique)
            {
                return MetricField.Parse("user_id", "field", errors);
            }

            errors.Add(new DefinitionError("field", $"required for '{aggregate.Value.ToString().ToLowerInvariant()}': a number field — price, revenue, quantity or properties.NAME"));
            return null;
        }

        if (f.ValueKind != JsonValueKind.String || MetricField.Parse(f.GetString()!, "field", errors) is not { } field)
        {
            if (f.ValueKind != JsonValueKind.String)
            {
                errors.Add(new DefinitionError("field", $"must be a field name such as \"revenue\" (got {PredicateParser.Describe(f)})"));
            }

            return null;
        }

        if (aggregate != MetricAggregate.Unique && !field.CanBeNumber)
        {
            errors.Add(new DefinitionError("field", $"'{field.Name}' is text; '{aggregate.Value.ToString().ToLowerInvariant()}' needs a number: price, revenue, quantity or properties.NAME"));
            return null;
        }

        return field;
    }

    private static List<MetricField> ParseGroupBy(JsonElement root, List<DefinitionError> errors)
    {
        var fields = new List<MetricField>();
        if (!root.TryGetProperty("group_by", out JsonElement g))
        {
            return fields;
        }

        if (g.ValueKind != JsonValueKind.Array || g.GetArrayLength() > MaxGroupBy)
        {
            errors.Add(new DefinitionError("group_by", $"must be an array of at most {MaxGroupBy} field names, e.g. [\"country\", \"properties.plan\"]"));
            return fields;
        }

        int i = 0;
        foreach (JsonElement item in g.EnumerateArray())
        {
            string path = $"group_by[{i++}]";
            if (item.ValueKind != JsonValueKind.String)
            {
                errors.Add(new DefinitionError(path, $"must be a field name (got {PredicateParser.Describe(item)})"));
            }
            else if (fields.Any(x => x.Name == item.GetString()))
            {
                errors.Add(new DefinitionError(path, $"'{item.GetString()}' is already grouped by"));
            }
            else if (MetricField.Parse(item.GetString()!, path, errors) is { } field)
            {
                fields.Add(field);
            }
        }

        return fields;
    }

    private static (MetricWindow, long, long) ParseWindow(JsonElement root, List<DefinitionError> errors)
    {
        if (!root.TryGetProperty("window", out JsonElement w))
        {
            return (MetricWindow.Tumbling, 0, 0);
        }

        string? type = w.ValueKind == JsonValueKind.Object && w.TryGetProperty("type", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "tumbling":
                return (MetricWindow.Tumbling, 0, 0);
            case "hopping":
                long size = 0, hop = 0;
                bool ok = w.TryGetProperty("size", out JsonElement s) && s.ValueKind == JsonValueKind.String && DurationText.TryParse(s.GetString(), out size);
                ok &= w.TryGetProperty("hop", out JsonElement h) && h.ValueKind == JsonValueKind.String && DurationText.TryParse(h.GetString(), out hop);
                if (!ok || Array.IndexOf(Hops, hop) < 0 || size <= hop || size % hop != 0 || size / hop > 1440)
                {
                    errors.Add(new DefinitionError("window", "a hopping window is {\"type\": \"hopping\", \"size\": \"10m\", \"hop\": \"1m\"}: hop 1m, 1h or 1d, size a larger multiple of it (at most 1440 hops)"));
                    return (MetricWindow.Tumbling, 0, 0);
                }

                return (MetricWindow.Hopping, size, hop);
            case "session":
                errors.Add(new DefinitionError("window.type", "session windows of user metrics are not available yet; the built-in session metrics (sessions, session_duration_seconds, ...) cover sessions, or use \"tumbling\" / \"hopping\""));
                return (MetricWindow.Tumbling, 0, 0);
            default:
                errors.Add(new DefinitionError("window", "must be {\"type\": \"tumbling\"} (the query's step) or {\"type\": \"hopping\", \"size\": \"10m\", \"hop\": \"1m\"}"));
                return (MetricWindow.Tumbling, 0, 0);
        }
    }
}
