using System.Text.Json;

namespace Pulse.Analytics.Predicates;

internal enum PropertyType : byte
{
    Missing,
    String,
    Number,
    True,
    False,
}

/// <summary>Where one wanted property's value sits in an event's properties JSON, found by one scan.</summary>
internal struct PropertySlot
{
    public PropertyType Type;
    public bool Escaped;
    public int Start;
    public int Length;
    public double Number;
}

/// <summary>Scans a flat properties object once, locating the values of the wanted names.</summary>
internal static class PropertyScanner
{
    /// <summary>Fills <paramref name="slots"/> (one per name; the first occurrence of a name wins).</summary>
    public static void Scan(ReadOnlySpan<byte> json, byte[][] names, Span<PropertySlot> slots)
    {
        slots.Clear();
        if (json.IsEmpty)
        {
            return;
        }

        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int found = -1;
            for (int i = 0; i < names.Length; i++)
            {
                if (slots[i].Type == PropertyType.Missing && reader.ValueTextEquals(names[i]))
                {
                    found = i;
                    break;
                }
            }

            if (!reader.Read())
            {
                return;
            }

            if (found < 0)
            {
                continue;
            }

            ref PropertySlot slot = ref slots[found];
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    slot.Type = PropertyType.String;
                    slot.Escaped = reader.ValueIsEscaped;
                    slot.Start = (int)reader.TokenStartIndex + 1;
                    slot.Length = reader.ValueSpan.Length;
                    break;
                case JsonTokenType.Number when reader.TryGetDouble(out double d):
                    slot.Type = PropertyType.Number;
                    slot.Number = d;
                    break;
                case JsonTokenType.True:
                    slot.Type = PropertyType.True;
                    break;
                case JsonTokenType.False:
                    slot.Type = PropertyType.False;
                    break;
            }
        }
    }
}
