using System.Text.Json;
using Pulse.Events;

namespace Pulse.Analytics.Predicates;

/// <summary>
/// Parses and validates the JSON form of an event condition, such as
/// <c>{"type": "purchase", "revenue": {"gte": 100}, "properties.plan": "pro"}</c>, reporting every
/// mistake with its JSON path and a fix rather than stopping at the first.
/// </summary>
public static class PredicateParser
{
    public const int MaxConditions = 16;
    public const int MaxInValues = 64;
    public const int MaxStringBytes = 2048;
    public const int MaxPropertyNameBytes = 128;

    public const string KnownFieldList =
        "type, page, url, referrer, product_id, country, device, currency, order_id, price, revenue, quantity, properties.NAME";

    private static readonly (string Name, EventField Field)[] StringFields =
    [
        ("page", EventField.Page), ("url", EventField.Url), ("referrer", EventField.Referrer),
        ("product_id", EventField.ProductId), ("country", EventField.Country), ("device", EventField.Device),
        ("currency", EventField.Currency), ("order_id", EventField.OrderId),
    ];

    private static readonly string[] KnownFields =
        ["type", "page", "url", "referrer", "product_id", "country", "device", "currency", "order_id", "price", "revenue", "quantity", "properties"];

    /// <summary>Parses one predicate from JSON text; null (with <paramref name="errors"/> added) when it is invalid.</summary>
    public static EventPredicate? Parse(string json, List<DefinitionError> errors)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return Parse(doc.RootElement, "", errors);
        }
        catch (JsonException ex)
        {
            errors.Add(new DefinitionError("", $"not valid JSON: {ex.Message}"));
            return null;
        }
    }

    /// <summary>Parses one predicate at <paramref name="path"/> of a larger definition.</summary>
    public static EventPredicate? Parse(JsonElement element, string path, List<DefinitionError> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new DefinitionError(path, $"a condition must be a JSON object such as {{\"type\": \"purchase\"}} (got {Describe(element)})"));
            return null;
        }

        int before = errors.Count;
        var conditions = new List<Condition>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty p in element.EnumerateObject())
        {
            string fieldPath = Join(path, p.Name);
            if (p.Name == "properties")
            {
                ParseNestedProperties(p.Value, fieldPath, path, conditions, keys, errors);
                continue;
            }

            if (!keys.Add(p.Name))
            {
                errors.Add(new DefinitionError(fieldPath, $"duplicate field '{p.Name}'; combine its conditions in one value"));
                continue;
            }

            Condition? c = ParseField(p.Name, p.Value, fieldPath, errors);
            if (c is not null)
            {
                conditions.Add(c);
            }
        }

        if (errors.Count == before && conditions.Count == 0)
        {
            errors.Add(new DefinitionError(path, "a condition needs at least one field, e.g. {\"type\": \"purchase\"}"));
        }

        if (conditions.Count > MaxConditions)
        {
            errors.Add(new DefinitionError(path, $"a condition may test at most {MaxConditions} fields (got {conditions.Count})"));
        }

        if (errors.Count != before)
        {
            return null;
        }

        return Build(conditions);
    }

    private static EventPredicate Build(List<Condition> conditions)
    {
        TypeCondition? type = null;
        var fields = new List<FieldCondition>();
        var numbers = new List<NumberCondition>();
        var properties = new List<PropertyCondition>();
        foreach (Condition c in conditions)
        {
            switch (c)
            {
                case TypeCondition t:
                    type = t;
                    break;
                case FieldCondition f:
                    fields.Add(f);
                    break;
                case NumberCondition n:
                    numbers.Add(n);
                    break;
                case PropertyCondition pc:
                    properties.Add(pc);
                    break;
            }
        }

        // A fixed evaluation order keeps equal predicates equally fast whatever order they were written in.
        fields.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        numbers.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        properties.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return new EventPredicate(type, [.. fields], [.. numbers], [.. properties], EventPredicate.BuildCanonical(conditions));
    }

    private static Condition? ParseField(string name, JsonElement value, string path, List<DefinitionError> errors)
    {
        if (name == "type")
        {
            StringMatch? m = ParseString(value, path, errors, checkType: true);
            return m is null ? null : new TypeCondition(m);
        }

        foreach ((string n, EventField field) in StringFields)
        {
            if (n == name)
            {
                StringMatch? m = ParseString(value, path, errors, checkType: false);
                return m is null ? null : new FieldCondition(name, field, m);
            }
        }

        switch (name)
        {
            case "price":
            case "revenue":
                {
                    (CompareOp, long)[]? c = ParseComparisons(value, path, errors, ToMicros);
                    return c is null ? null : new NumberCondition(name, name == "price" ? NumberField.Price : NumberField.Revenue, c);
                }

            case "quantity":
                {
                    (CompareOp, long)[]? c = ParseComparisons(value, path, errors, ToWholeNumber);
                    return c is null ? null : new NumberCondition(name, NumberField.Quantity, c);
                }
        }

        if (name.StartsWith("properties.", StringComparison.Ordinal))
        {
            return ParseProperty(name["properties.".Length..], value, path, errors);
        }

        errors.Add(new DefinitionError(path, UnknownField(name, KnownFields, KnownFieldList)));
        return null;
    }

    private static void ParseNestedProperties(JsonElement value, string path, string predicatePath, List<Condition> conditions, HashSet<string> keys, List<DefinitionError> errors)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new DefinitionError(path, "must be an object of property conditions, e.g. {\"plan\": \"pro\"}, or use \"properties.plan\": \"pro\""));
            return;
        }

        foreach (JsonProperty p in value.EnumerateObject())
        {
            string key = "properties." + p.Name;
            if (!keys.Add(key))
            {
                errors.Add(new DefinitionError(Join(predicatePath, key), $"duplicate field '{key}'; combine its conditions in one value"));
                continue;
            }

            Condition? c = ParseProperty(p.Name, p.Value, Join(path, p.Name), errors);
            if (c is not null)
            {
                conditions.Add(c);
            }
        }
    }

    private static PropertyCondition? ParseProperty(string name, JsonElement value, string path, List<DefinitionError> errors)
    {
        if (name.Length == 0)
        {
            errors.Add(new DefinitionError(path, "a property condition needs a name, as in \"properties.plan\""));
            return null;
        }

        if (System.Text.Encoding.UTF8.GetByteCount(name) > MaxPropertyNameBytes)
        {
            errors.Add(new DefinitionError(path, $"property names are at most {MaxPropertyNameBytes} bytes, so this one can never match"));
            return null;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                {
                    StringMatch? m = ParseString(value, path, errors, checkType: false);
                    return m is null ? null : PropertyCondition.ForString(name, m);
                }

            case JsonValueKind.Number:
                return PropertyCondition.ForNumbers(name, [(CompareOp.Eq, value.GetDouble())]);
            case JsonValueKind.True or JsonValueKind.False:
                return PropertyCondition.ForBool(name, value.GetBoolean());
            case JsonValueKind.Object:
                return ParsePropertyOperators(name, value, path, errors);
            default:
                errors.Add(new DefinitionError(path, $"must be a string, number or boolean to compare with, or operators such as {{\"gt\": 3}} or {{\"in\": [\"a\", \"b\"]}} (got {Describe(value)})"));
                return null;
        }
    }

    private static PropertyCondition? ParsePropertyOperators(string name, JsonElement value, string path, List<DefinitionError> errors)
    {
        bool stringOps = value.TryGetProperty("in", out _) || value.TryGetProperty("prefix", out _);
        if (value.TryGetProperty("eq", out JsonElement eq) && eq.ValueKind is JsonValueKind.String or JsonValueKind.True or JsonValueKind.False)
        {
            if (CountProperties(value) != 1)
            {
                errors.Add(new DefinitionError(path, "\"eq\" with a string or boolean stands alone; numbers take gt, gte, lt, lte"));
                return null;
            }

            return eq.ValueKind == JsonValueKind.String
                ? ParseProperty(name, eq, Join(path, "eq"), errors)
                : PropertyCondition.ForBool(name, eq.GetBoolean());
        }

        if (stringOps)
        {
            StringMatch? m = ParseString(value, path, errors, checkType: false);
            return m is null ? null : PropertyCondition.ForString(name, m);
        }

        (CompareOp, double)[]? c = ParseComparisons(value, path, errors, ToDouble);
        return c is null ? null : PropertyCondition.ForNumbers(name, c);
    }

    private static StringMatch? ParseString(JsonElement value, string path, List<DefinitionError> errors, bool checkType)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            string s = value.GetString()!;
            return CheckString(s, path, errors, checkType) ? StringMatch.OneOf([s]) : null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new DefinitionError(path, $"must be a string, {{\"in\": [\"a\", \"b\"]}} or {{\"prefix\": \"/a\"}} (got {Describe(value)})"));
            return null;
        }

        if (CountProperties(value) != 1)
        {
            errors.Add(new DefinitionError(path, "use exactly one of \"in\", \"prefix\" or \"eq\" (several conditions on one field would all have to hold)"));
            return null;
        }

        JsonProperty op = value.EnumerateObject().First();
        string opPath = Join(path, op.Name);
        switch (op.Name)
        {
            case "eq" when op.Value.ValueKind == JsonValueKind.String:
                return ParseString(op.Value, opPath, errors, checkType);
            case "prefix":
                if (op.Value.ValueKind != JsonValueKind.String)
                {
                    errors.Add(new DefinitionError(opPath, $"must be a string such as \"/product/\" (got {Describe(op.Value)})"));
                    return null;
                }

                string prefix = op.Value.GetString()!;
                return CheckString(prefix, opPath, errors, checkType: false) ? StringMatch.StartsWith(prefix) : null;
            case "eq":
                errors.Add(new DefinitionError(opPath, $"must be a string (got {Describe(op.Value)})"));
                return null;
            case "in":
                return ParseIn(op.Value, opPath, errors, checkType);
            default:
                errors.Add(new DefinitionError(opPath, $"unknown operator '{op.Name}' — use \"in\", \"prefix\" or \"eq\""));
                return null;
        }
    }

    private static StringMatch? ParseIn(JsonElement value, string path, List<DefinitionError> errors, bool checkType)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            errors.Add(new DefinitionError(path, $"must be a non-empty array of strings such as [\"US\", \"CA\"] (got {Describe(value)})"));
            return null;
        }

        if (value.GetArrayLength() > MaxInValues)
        {
            errors.Add(new DefinitionError(path, $"at most {MaxInValues} values (got {value.GetArrayLength()})"));
            return null;
        }

        var values = new List<string>();
        int i = 0;
        bool ok = true;
        foreach (JsonElement v in value.EnumerateArray())
        {
            string itemPath = $"{path}[{i++}]";
            if (v.ValueKind != JsonValueKind.String)
            {
                errors.Add(new DefinitionError(itemPath, $"must be a string (got {Describe(v)})"));
                ok = false;
                continue;
            }

            string s = v.GetString()!;
            ok &= CheckString(s, itemPath, errors, checkType);
            values.Add(s);
        }

        return ok ? StringMatch.OneOf(values) : null;
    }

    private static bool CheckString(string s, string path, List<DefinitionError> errors, bool checkType)
    {
        if (s.Length == 0)
        {
            errors.Add(new DefinitionError(path, "must not be empty: an absent field never matches"));
            return false;
        }

        if (System.Text.Encoding.UTF8.GetByteCount(s) > MaxStringBytes)
        {
            errors.Add(new DefinitionError(path, $"longer than {MaxStringBytes} bytes, so it can never match"));
            return false;
        }

        if (checkType && !IsTypeName(s))
        {
            errors.Add(new DefinitionError(path, $"\"{s}\" can never match: event types are lower-case letters, digits and '_' (at most 64), e.g. \"add_to_cart\""));
            return false;
        }

        return true;
    }

    private static bool IsTypeName(string s)
    {
        if (s.Length > 64)
        {
            return false;
        }

        foreach (char c in s)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static (CompareOp, T)[]? ParseComparisons<T>(JsonElement value, string path, List<DefinitionError> errors, Func<JsonElement, string, List<DefinitionError>, T?> convert)
        where T : struct
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return convert(value, path, errors) is T v ? [(CompareOp.Eq, v)] : null;
        }

        if (value.ValueKind != JsonValueKind.Object || CountProperties(value) == 0)
        {
            errors.Add(new DefinitionError(path, $"must be a number or comparisons such as {{\"gte\": 10, \"lt\": 100}} (got {Describe(value)})"));
            return null;
        }

        var result = new List<(CompareOp, T)>();
        bool ok = true;
        foreach (JsonProperty p in value.EnumerateObject())
        {
            string opPath = Join(path, p.Name);
            if (!CompareOps.TryParse(p.Name, out CompareOp op))
            {
                errors.Add(new DefinitionError(opPath, $"unknown operator '{p.Name}' — use eq, gt, gte, lt or lte"));
                ok = false;
                continue;
            }

            if (result.Exists(r => r.Item1 == op))
            {
                errors.Add(new DefinitionError(opPath, $"duplicate operator '{p.Name}'"));
                ok = false;
                continue;
            }

            if (p.Value.ValueKind != JsonValueKind.Number)
            {
                errors.Add(new DefinitionError(opPath, $"must be a number (got {Describe(p.Value)})"));
                ok = false;
                continue;
            }

            if (convert(p.Value, opPath, errors) is T v)
            {
                result.Add((op, v));
            }
            else
            {
                ok = false;
            }
        }

        if (!ok)
        {
            return null;
        }

        result.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return [.. result];
    }

    private static long? ToMicros(JsonElement value, string path, List<DefinitionError> errors)
    {
        if (!value.TryGetDecimal(out decimal d) || Math.Abs(d) > 9_000_000_000_000m)
        {
            errors.Add(new DefinitionError(path, $"{value.GetRawText()} is out of range for an amount of money"));
            return null;
        }

        decimal micros = d * MoneyText.MicrosPerUnit;
        if (micros != decimal.Truncate(micros))
        {
            errors.Add(new DefinitionError(path, $"{value.GetRawText()} has more than 6 decimal places; amounts are exact to a millionth"));
            return null;
        }

        return (long)micros;
    }

    private static long? ToWholeNumber(JsonElement value, string path, List<DefinitionError> errors)
    {
        if (!value.TryGetInt64(out long n))
        {
            errors.Add(new DefinitionError(path, $"{value.GetRawText()} is not a whole number; quantity is an integer"));
            return null;
        }

        return n;
    }

    private static double? ToDouble(JsonElement value, string path, List<DefinitionError> errors) => value.GetDouble();

    private static int CountProperties(JsonElement obj)
    {
        int n = 0;
        foreach (JsonProperty _ in obj.EnumerateObject())
        {
            n++;
        }

        return n;
    }

    internal static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    internal static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string {value.GetRawText()}",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "nothing",
    };

    /// <summary>"unknown field 'typ' (did you mean 'type'?) — known fields: ...".</summary>
    internal static string UnknownField(string name, string[] known, string knownList)
    {
        string? best = null;
        int bestDistance = 3;
        foreach (string k in known)
        {
            int d = EditDistance(name, k);
            if (d < bestDistance)
            {
                bestDistance = d;
                best = k;
            }
        }

        string hint = best is null ? "" : $" (did you mean '{best}'?)";
        return $"unknown field '{name}'{hint} — known fields: {knownList}";
    }

    private static int EditDistance(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            row[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }

        return row[b.Length];
    }
}
