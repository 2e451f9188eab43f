using System.Text.Json;

namespace Pulse.Analytics.Predicates;

/// <summary>What every definition parser checks the same way: the fields of an object, and the optional description.</summary>
public static class DefinitionFields
{
    public const int MaxDescriptionLength = 500;

    /// <summary>Adds an error for every duplicate or unknown field of <paramref name="obj"/> (with a "did you mean" when one is close).</summary>
    public static void Check(JsonElement obj, string path, string[] known, string knownList, List<DefinitionError> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty p in obj.EnumerateObject())
        {
            string at = PredicateParser.Join(path, p.Name);
            if (!seen.Add(p.Name))
            {
                errors.Add(new DefinitionError(at, $"duplicate field '{p.Name}'"));
            }
            else if (Array.IndexOf(known, p.Name) < 0)
            {
                errors.Add(new DefinitionError(at, PredicateParser.UnknownField(p.Name, known, knownList)));
            }
        }
    }

    /// <summary>The optional <c>description</c>: a string of at most <see cref="MaxDescriptionLength"/> characters.</summary>
    public static string? Description(JsonElement root, List<DefinitionError> errors)
    {
        if (!root.TryGetProperty("description", out JsonElement d))
        {
            return null;
        }

        if (d.ValueKind != JsonValueKind.String || d.GetString()!.Length > MaxDescriptionLength)
        {
            errors.Add(new DefinitionError("description", $"must be a string of at most {MaxDescriptionLength} characters"));
            return null;
        }

        return d.GetString();
    }
}
