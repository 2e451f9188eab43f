using System.Text.Json;
using Pulse.Analytics.Funnels;
using Pulse.Analytics.Patterns;
using Pulse.Analytics.Predicates;

namespace Pulse.Analytics.Definitions;

/// <summary>A funnel or pattern definition: built in, or from <c>PUT /v1/definitions/{name}</c> (stored, so it survives restarts).</summary>
public sealed record AnalyticsDefinition(string Name, bool BuiltIn, FunnelDefinition? Funnel, PatternDefinition? Pattern)
{
    /// <summary>"funnel", or the pattern's kind ("absence", "count", "sequence").</summary>
    public string Kind => Funnel is not null ? "funnel" : PatternDefinitionParser.KindName(Pattern!.Kind);

    /// <summary>The definition in its canonical JSON.</summary>
    public string Json => Funnel?.ToJson() ?? Pattern!.ToJson();

    public IEnumerable<EventPredicate> Predicates => Funnel is not null ? Funnel.Steps.Select(s => s.When) : Pattern!.Predicates;

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
                errors.Add(new DefinitionError("", $"a definition is a JSON object with a \"kind\": \"funnel\", \"absence\", \"count\" or \"sequence\", e.g. {FunnelDefinitionParser.Example}"));
                return null;
            }

            if (root.TryGetProperty("kind", out JsonElement kind) && kind.ValueKind == JsonValueKind.String)
            {
                switch (kind.GetString())
                {
                    case "funnel":
                        return FunnelDefinitionParser.Parse(name, root, errors) is { } funnel ? new AnalyticsDefinition(name, false, funnel, null) : null;
                    case "metric":
                        errors.Add(new DefinitionError("kind", "user-defined metrics are not available yet; this version takes funnels (\"funnel\") and patterns (\"absence\", \"count\", \"sequence\")"));
                        return null;
                }
            }

            return PatternDefinitionParser.Parse(name, root, errors) is { } pattern ? new AnalyticsDefinition(name, false, null, pattern) : null;
        }
    }
}
