namespace Pulse.Analytics.Predicates;

/// <summary>
/// The test a string condition applies: equality with one of a sorted, distinct set of values
/// (one value for plain equality), or a prefix.
/// </summary>
internal sealed class StringMatch
{
    private StringMatch(byte[][] values, byte[]? prefix)
    {
        Values = values;
        Prefix = prefix;
    }

    /// <summary>Distinct values in ordinal order; empty for a prefix match.</summary>
    public byte[][] Values { get; }

    public byte[]? Prefix { get; }

    public static StringMatch OneOf(IEnumerable<string> values)
    {
        var distinct = new SortedSet<string>(values, StringComparer.Ordinal);
        var bytes = new byte[distinct.Count][];
        int i = 0;
        foreach (string v in distinct)
        {
            bytes[i++] = System.Text.Encoding.UTF8.GetBytes(v);
        }

        return new StringMatch(bytes, null);
    }

    public static StringMatch StartsWith(string prefix) => new([], System.Text.Encoding.UTF8.GetBytes(prefix));

    public bool Matches(ReadOnlySpan<byte> value)
    {
        if (Prefix is not null)
        {
            return value.StartsWith(Prefix);
        }

        foreach (byte[] v in Values)
        {
            if (value.SequenceEqual(v))
            {
                return true;
            }
        }

        return false;
    }

    public void WriteCanonical(System.Text.Json.Utf8JsonWriter writer)
    {
        if (Prefix is not null)
        {
            writer.WriteStartObject();
            writer.WriteString("prefix", Prefix);
            writer.WriteEndObject();
        }
        else if (Values.Length == 1)
        {
            writer.WriteStringValue(Values[0]);
        }
        else
        {
            writer.WriteStartObject();
            writer.WriteStartArray("in");
            foreach (byte[] v in Values)
            {
                writer.WriteStringValue(v);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }
    }
}
