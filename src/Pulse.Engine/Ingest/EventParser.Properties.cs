using System.Text.Json;
using Pulse.Events;

namespace Pulse.Ingest;

public static partial class EventParser
{
    /// <summary>
    /// Re-emits a flat <c>properties</c> object as compact JSON. Keys and values are copied in their
    /// original (possibly escaped) form, which is already valid JSON once checked to unescape to
    /// valid UTF-8, so nothing is re-encoded. An empty object is stored as no properties.
    /// </summary>
    private static string? ReadProperties(ref Utf8JsonReader reader, ref EventState state, IngestLimits limits, ScratchBuffer scratch, scoped Span<FieldSlice> fields)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return IngestMessages.PropertiesNotObject;
        }

        int start = scratch.Length;
        int count = 0;
        scratch.Append((byte)'{');
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (++count > limits.MaxProperties)
            {
                return limits.TooManyPropertiesError;
            }

            if (!TryUnescape(ref reader, scratch, out int keyLength))
            {
                return IngestMessages.PropertyKeyInvalid;
            }

            if (keyLength > IngestMessages.MaxPropertyKeyBytes)
            {
                return IngestMessages.PropertyKeyTooLong;
            }

            if (count > 1)
            {
                scratch.Append((byte)',');
            }

            AppendQuoted(scratch, reader.ValueSpan);
            scratch.Append((byte)':');
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    if (!TryUnescape(ref reader, scratch, out int valueLength))
                    {
                        return IngestMessages.PropertyValueInvalid;
                    }

                    if (valueLength > IngestMessages.MaxPropertyValueBytes)
                    {
                        return IngestMessages.PropertyValueTooLong;
                    }

                    AppendQuoted(scratch, reader.ValueSpan);
                    break;
                case JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False:
                    scratch.Append(reader.ValueSpan);
                    break;
                default:
                    return IngestMessages.PropertyValueType;
            }
        }

        if (count == 0)
        {
            scratch.Clear();
            scratch.Advance(start);
            return null;
        }

        scratch.Append((byte)'}');
        fields[(int)EventField.Properties] = new FieldSlice(start, scratch.Length - start);
        state.Present |= KnownField.Properties;
        return null;
    }

    private static void AppendQuoted(ScratchBuffer scratch, ReadOnlySpan<byte> raw)
    {
        Span<byte> destination = scratch.GetSpan(raw.Length + 2);
        destination[0] = (byte)'"';
        raw.CopyTo(destination[1..]);
        destination[raw.Length + 1] = (byte)'"';
        scratch.Advance(raw.Length + 2);
    }
}
