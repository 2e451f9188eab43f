using System.Text.Json;
using Pulse.Analytics.Funnels;
using Pulse.Analytics.Metrics;
using Pulse.Analytics.Patterns;
using Pulse.Analytics.Predicates;

namespace Pulse.Analytics.Definitions;

/// <summary>A metric, funnel or pattern definition: built in, or from <c>PUT /v1/definitions/{name}</c> (stored, so it survives restarts).</summary>
public sealed record AnalyticsDefinition(string Name, bool BuiltIn, FunnelDefinition? Funnel, PatternDefinition? Pattern, UserMetric? Metric = null)
{
    /// <summary>"metric", "funnel", or the pattern's kind ("absence", "count", "sequence").</summary>
    public string Kind => Metric is not null ? "metric" : Funnel is not null ? "funnel" : PatternDefinitionParser.KindName(Pattern!.Kind);

    /// <summary>The definition in its canonical JSON.</summary>
    public string Json => Metric?.ToJson() ?? Funnel?.ToJson() ?? Pattern!.ToJson();

    /// <summary>
    /// Parses a definition document: <c>{"kind": "funnel", ...}</c> or a pattern (<c>"absence"</c>,
    /// <c>"count"</c>, <c>"sequence"</c>). Every mistake is collected with its JSON path.
    /// </summary>
    public static AnalyticsDefinition? Parse(string name, string json, List<DefinitionError> errors)
    {
        if (!PatternDefinitionParser.IsValidName(name))
        {
            errors.Add(new DefinitionError("name", $"\"{name}\" is not a definition name: use 1 to {PatternDefinitionParser.MaxNameLength} of a-z, 0-9, '_' and '-'"));
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            errors.Add(new DefinitionError("", $"not valid JSON: {ex.Message}"));
            return null;
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new DefinitionError("", $"a definition is a JSON object with a \"kind\": \"metric\", \"funnel\", \"absence\", \"count\" or \"sequence\", e.g. {UserMetricParser.Example}"));
                return null;
            }

            if (root.TryGetProperty("kind", out JsonElement kind) && kind.ValueKind == JsonValueKind.String)
            {
                switch (kind.GetString())
                {
                    case "funnel":
                        return FunnelDefinitionParser.Parse(name, root, errors) is { } funnel ? new AnalyticsDefinition(name, false, funnel, null) : null;
                    case "metric":
                        return UserMetricParser.Parse(name, root, errors) is { } metric ? new AnalyticsDefinition(name, false, null, null, metric) : null;
                }
            }

            return PatternDefinitionParser.Parse(name, root, errors) is { } pattern ? new AnalyticsDefinition(name, false, null, pattern) : null;
        }
    }
}
