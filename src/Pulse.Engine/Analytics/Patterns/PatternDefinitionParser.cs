using System.Text.Json;
using Pulse.Analytics.Predicates;

namespace Pulse.Analytics.Patterns;

/// <summary>
/// Parses and validates a pattern definition (the body of <c>PUT /v1/definitions/{name}</c>):
/// <code>
/// {"kind": "absence", "first": {"type": "add_to_cart"}, "absent": {"type": "purchase"}, "within": "30m", "scope": "session"}
/// {"kind": "count", "event": {"type": "purchase"}, "at_least": 5, "within": "60s"}
/// {"kind": "sequence", "steps": [{"type": "page_view"}, {"type": "checkout"}], "within": "10m"}
/// </code>
/// Every mistake is reported, each with its JSON path and what to write instead.
/// </summary>
public static class PatternDefinitionParser
{
    public const int MinSteps = 2;
    public const int MaxSteps = 8;
    public const int MinAtLeast = 2;
    public const int MaxAtLeast = 1000;
    public const long MaxWithinMs = 7 * 86_400_000L;
    public const int MaxDescriptionLength = DefinitionFields.MaxDescriptionLength;
    public const int MaxNameLength = 64;

    private static readonly string[] CommonFields = ["kind", "within", "scope", "description"];

    /// <summary>Pattern names: 1 to 64 of <c>a-z 0-9 _ -</c>, so they fit a URL path segment and a metric label unchanged.</summary>
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    public static PatternDefinition? Parse(string name, string json, List<DefinitionError> errors)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return Parse(name, doc.RootElement, errors);
        }
        catch (JsonException ex)
        {
            errors.Add(new DefinitionError("", $"not valid JSON: {ex.Message}"));
            return null;
        }
    }

    public static PatternDefinition? Parse(string name, JsonElement root, List<DefinitionError> errors)
    {
        int before = errors.Count;
        if (!IsValidName(name))
        {
            errors.Add(new DefinitionError("name", $"\"{name}\" is not a pattern name: use 1 to {MaxNameLength} of a-z, 0-9, '_' and '-'"));
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new DefinitionError("", $"a pattern definition is a JSON object such as {BuiltInPatterns.PurchaseBurstJson} (got {PredicateParser.Describe(root)})"));
            return null;
        }

        PatternKind? kind = ParseKind(root, errors);
        long within = ParseWithin(root, errors);
        PatternScope scope = ParseScope(root, errors);
        string? description = DefinitionFields.Description(root, errors);
        if (kind is null)
        {
            return null;
        }

        CheckFields(root, kind.Value, errors);
        var predicates = new List<EventPredicate?>();
        int atLeast = 0;
        switch (kind)
        {
            case PatternKind.Absence:
                predicates.Add(Required(root, "first", "the event that starts the pattern, e.g. {\"type\": \"add_to_cart\"}", errors));
                predicates.Add(Required(root, "absent", "the event that must not follow, e.g. {\"type\": \"purchase\"}", errors));
                break;
            case PatternKind.Count:
                predicates.Add(Required(root, "event", "the event to count, e.g. {\"type\": \"purchase\"}", errors));
                atLeast = ParseAtLeast(root, errors);
                break;
            default:
                ParseSteps(root, predicates, errors);
                break;
        }

        if (errors.Count != before)
        {
            return null;
        }

        var list = new EventPredicate[predicates.Count];
        for (int i = 0; i < list.Length; i++)
        {
            list[i] = predicates[i]!;
        }

        return new PatternDefinition(name, kind.Value, scope, within, atLeast, list, description);
    }

    internal static string WriteJson(PatternDefinition d, bool includeDescription)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("kind", KindName(d.Kind));
            switch (d.Kind)
            {
                case PatternKind.Absence:
                    w.WritePropertyName("first");
                    w.WriteRawValue(d.Predicates[0].Canonical);
                    w.WritePropertyName("absent");
                    w.WriteRawValue(d.Predicates[1].Canonical);
                    break;
                case PatternKind.Count:
                    w.WritePropertyName("event");
                    w.WriteRawValue(d.Predicates[0].Canonical);
                    w.WriteNumber("at_least", d.AtLeast);
                    break;
                default:
                    w.WriteStartArray("steps");
                    foreach (EventPredicate p in d.Predicates)
                    {
                        w.WriteRawValue(p.Canonical);
                    }

                    w.WriteEndArray();
                    break;
            }

            w.WriteString("within", DurationText.Format(d.WithinMs));
            w.WriteString("scope", d.Scope == PatternScope.Session ? "session" : "user");
            if (includeDescription && d.Description is not null)
            {
                w.WriteString("description", d.Description);
            }

            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string KindName(PatternKind kind) => kind switch
    {
        PatternKind.Absence => "absence",
        PatternKind.Count => "count",
        _ => "sequence",
    };

    private static PatternKind? ParseKind(JsonElement root, List<DefinitionError> errors)
    {
        if (!root.TryGetProperty("kind", out JsonElement k))
        {
            errors.Add(new DefinitionError("kind", "required: one of \"absence\", \"count\", \"sequence\""));
            return null;
        }

        switch (k.ValueKind == JsonValueKind.String ? k.GetString() : null)
        {
            case "absence":
                return PatternKind.Absence;
            case "count":
                return PatternKind.Count;
            case "sequence":
                return PatternKind.Sequence;
            default:
                errors.Add(new DefinitionError("kind", $"must be one of \"absence\", \"count\", \"sequence\" (got {PredicateParser.Describe(k)})"));
                return null;
        }
    }

    private static long ParseWithin(JsonElement root, List<DefinitionError> errors)
    {
        if (!root.TryGetProperty("within", out JsonElement w))
        {
            errors.Add(new DefinitionError("within", "required: the pattern's time span, such as \"60s\", \"30m\", \"1h\""));
            return 0;
        }

        string? text = w.ValueKind == JsonValueKind.String ? w.GetString() : null;
        if (!DurationText.TryParse(text, out long ms))
        {
            string shown = text is null ? PredicateParser.Describe(w) : $"\"{text}\"";
            errors.Add(new DefinitionError("within", $"{shown} is not a duration like 30s, 5m, 1h or 1d (a whole number and a unit)"));
            return 0;
        }

        if (ms > MaxWithinMs)
        {
            errors.Add(new DefinitionError("within", $"\"{text}\" is longer than the longest time span, 7d"));
            return 0;
        }

        return ms;
    }

    private static PatternScope ParseScope(JsonElement root, List<DefinitionError> errors)
    {
        if (!root.TryGetProperty("scope", out JsonElement s))
        {
            return PatternScope.User;
        }

        switch (s.ValueKind == JsonValueKind.String ? s.GetString() : null)
        {
            case "user":
                return PatternScope.User;
            case "session":
                return PatternScope.Session;
            default:
                errors.Add(new DefinitionError("scope", $"must be \"user\" (any of the user's events, the default) or \"session\" (events of one session) (got {PredicateParser.Describe(s)})"));
                return PatternScope.User;
        }
    }

    private static void CheckFields(JsonElement root, PatternKind kind, List<DefinitionError> errors)
    {
        string[] own = kind switch
        {
            PatternKind.Absence => ["first", "absent"],
            PatternKind.Count => ["event", "at_least"],
            _ => ["steps"],
        };
        string[] known = [CommonFields[0], .. own, .. CommonFields[1..]];
        DefinitionFields.Check(root, "", known, $"{string.Join(", ", known)} (for a {KindName(kind)} pattern)", errors);
    }

    private static EventPredicate? Required(JsonElement root, string field, string what, List<DefinitionError> errors)
    {
        if (!root.TryGetProperty(field, out JsonElement e))
        {
            errors.Add(new DefinitionError(field, $"required: {what}"));
            return null;
        }

        return PredicateParser.Parse(e, field, errors);
    }

    private static int ParseAtLeast(JsonElement root, List<DefinitionError> errors)
    {
        if (!root.TryGetProperty("at_least", out JsonElement a))
        {
            errors.Add(new DefinitionError("at_least", $"required: how many events make a match, between {MinAtLeast} and {MaxAtLeast}"));
            return 0;
        }

        if (a.ValueKind != JsonValueKind.Number || !a.TryGetInt32(out int n) || n < MinAtLeast || n > MaxAtLeast)
        {
            errors.Add(new DefinitionError("at_least", $"at_least must be a whole number between {MinAtLeast} and {MaxAtLeast} (got {PredicateParser.Describe(a)})"));
            return 0;
        }

        return n;
    }

    private static void ParseSteps(JsonElement root, List<EventPredicate?> predicates, List<DefinitionError> errors)
    {
        if (!root.TryGetProperty("steps", out JsonElement s))
        {
            errors.Add(new DefinitionError("steps", $"required: a sequence needs {MinSteps} to {MaxSteps} steps, e.g. [{{\"type\": \"add_to_cart\"}}, {{\"type\": \"checkout\"}}]"));
            return;
        }

        if (s.ValueKind != JsonValueKind.Array || s.GetArrayLength() < MinSteps || s.GetArrayLength() > MaxSteps)
        {
            string got = s.ValueKind == JsonValueKind.Array ? $"{s.GetArrayLength()} steps" : PredicateParser.Describe(s);
            errors.Add(new DefinitionError("steps", $"a sequence needs {MinSteps} to {MaxSteps} steps (got {got})"));
            return;
        }

        int i = 0;
        foreach (JsonElement step in s.EnumerateArray())
        {
            predicates.Add(PredicateParser.Parse(step, $"steps[{i++}]", errors));
        }
    }
}
