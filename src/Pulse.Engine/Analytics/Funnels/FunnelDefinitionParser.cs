using System.Text.Json;
using Pulse.Analytics.Patterns;
using Pulse.Analytics.Predicates;

namespace Pulse.Analytics.Funnels;

/// <summary>
/// Parses <c>{"kind": "funnel", "steps": [{"name": "view", "when": {...condition...}}, ...], "within": "1h"}</c>,
/// collecting every mistake with its JSON path and what to write instead.
/// </summary>
public static class FunnelDefinitionParser
{
    public const int MinSteps = 2;
    public const int MaxSteps = 8;
    private const int MaxStepNameLength = 64;
    private static readonly string[] Fields = ["kind", "steps", "within", "description"];
    private static readonly string[] StepFields = ["name", "when"];

    public const string Example = """{"kind": "funnel", "steps": [{"name": "signup", "when": {"type": "signup"}}, {"name": "first_purchase", "when": {"type": "purchase"}}], "within": "1d"}""";

    public static FunnelDefinition? Parse(string name, JsonElement root, List<DefinitionError> errors)
    {
        int before = errors.Count;
        DefinitionFields.Check(root, "", Fields, string.Join(", ", Fields), errors);

        long within = 0;
        if (root.TryGetProperty("within", out JsonElement w)
            && (w.ValueKind != JsonValueKind.String || !DurationText.TryParse(w.GetString(), out within) || within > PatternDefinitionParser.MaxWithinMs))
        {
            errors.Add(new DefinitionError("within", $"{PredicateParser.Describe(w)} is not a duration like 30m, 1h or 1d, at most 7d (leave it out: the funnel runs to the session's end)"));
        }

        string? description = DefinitionFields.Description(root, errors);

        var steps = new List<(string, EventPredicate)>();
        if (!root.TryGetProperty("steps", out JsonElement array) || array.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new DefinitionError("steps", $"required: an array of {MinSteps} to {MaxSteps} steps, each {{\"name\": \"...\", \"when\": {{...condition...}}}}, e.g. {Example}"));
        }
        else
        {
            int count = array.GetArrayLength();
            if (count < MinSteps || count > MaxSteps)
            {
                errors.Add(new DefinitionError("steps", $"a funnel needs {MinSteps} to {MaxSteps} steps (got {count})"));
            }

            int i = 0;
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonElement step in array.EnumerateArray())
            {
                if (ParseStep(step, $"steps[{i}]", names, errors) is { } parsed)
                {
                    steps.Add(parsed);
                }

                i++;
            }
        }

        return errors.Count != before ? null : new FunnelDefinition(name, steps, within, description);
    }

    private static (string, EventPredicate)? ParseStep(JsonElement step, string path, HashSet<string> names, List<DefinitionError> errors)
    {
        if (step.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new DefinitionError(path, $"a step is {{\"name\": \"...\", \"when\": {{...condition...}}}} (got {PredicateParser.Describe(step)})"));
            return null;
        }

        DefinitionFields.Check(step, path, StepFields, "name, when", errors);

        string? name = step.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        if (name is null || !IsStepName(name))
        {
            errors.Add(new DefinitionError(PredicateParser.Join(path, "name"), $"required: 1 to {MaxStepNameLength} of a-z, 0-9 and '_', e.g. \"add_to_cart\""));
        }
        else if (!names.Add(name))
        {
            errors.Add(new DefinitionError(PredicateParser.Join(path, "name"), $"\"{name}\" names two steps; step names must differ"));
        }

        if (!step.TryGetProperty("when", out JsonElement when))
        {
            errors.Add(new DefinitionError(PredicateParser.Join(path, "when"), "required: the event condition that reaches the step, e.g. {\"type\": \"add_to_cart\"}"));
            return null;
        }

        EventPredicate? predicate = PredicateParser.Parse(when, PredicateParser.Join(path, "when"), errors);
        return predicate is null || name is null ? null : (name, predicate);
    }

    private static bool IsStepName(string name)
    {
        if (name.Length is 0 or > MaxStepNameLength)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
