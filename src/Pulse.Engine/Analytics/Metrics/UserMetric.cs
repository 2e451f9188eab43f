using Pulse.Analytics.Patterns;
using Pulse.Analytics.Predicates;

namespace Pulse.Analytics.Metrics;

public enum MetricAggregate
{
    Count,
    Sum,
    Avg,
    Min,
    Max,
    Unique,
    Percentile,
}

public enum MetricWindow
{
    /// <summary>Back-to-back windows of the query's step.</summary>
    Tumbling,

    /// <summary>Windows of <see cref="UserMetric.WindowMs"/> starting every <see cref="UserMetric.HopMs"/>.</summary>
    Hopping,
}

/// <summary>
/// A user-defined metric: the events it counts (a condition), how it aggregates them, up to three
/// group-by fields, its window, how long its rollups are kept, and the most groups it keeps per bucket.
/// </summary>
public sealed record UserMetric(
    string Name,
    EventPredicate? Filter,
    MetricAggregate Aggregate,
    MetricField? Field,
    IReadOnlyList<MetricField> GroupBy,
    MetricWindow Window,
    long WindowMs,
    long HopMs,
    long RetentionMs,
    int MaxGroups,
    string? Description)
{
    public const int DefaultMaxGroups = 10_000;

    public string AggregateName => Aggregate.ToString().ToLowerInvariant();

    /// <summary>The kind <c>GET /v1/metrics</c> reports, in the built-ins' vocabulary.</summary>
    public string KindName => Aggregate switch
    {
        MetricAggregate.Count => "count",
        MetricAggregate.Sum => "sum",
        MetricAggregate.Unique => "unique",
        MetricAggregate.Percentile => "distribution",
        _ => Aggregate.ToString().ToLowerInvariant(),
    };

    public string ToJson()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("kind", "metric");
            if (Filter is not null)
            {
                w.WritePropertyName("filter");
                w.WriteRawValue(Filter.Canonical);
            }

            w.WriteString("aggregate", AggregateName);
            if (Field is not null)
            {
                w.WriteString("field", Field.Name);
            }

            w.WriteStartArray("group_by");
            foreach (MetricField g in GroupBy)
            {
                w.WriteStringValue(g.Name);
            }

            w.WriteEndArray();
            w.WriteStartObject("window");
            w.WriteString("type", Window == MetricWindow.Hopping ? "hopping" : "tumbling");
            if (Window == MetricWindow.Hopping)
            {
                w.WriteString("size", DurationText.Format(WindowMs));
                w.WriteString("hop", DurationText.Format(HopMs));
            }

            w.WriteEndObject();
            if (RetentionMs > 0)
            {
                w.WriteString("retention", DurationText.Format(RetentionMs));
            }

            w.WriteNumber("max_groups", MaxGroups);
            if (Description is not null)
            {
                w.WriteString("description", Description);
            }

            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
