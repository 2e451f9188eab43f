using System.Text.Json;
using System.Text.Unicode;
using Pulse.Events;

namespace Pulse.Ingest;

public static partial class EventParser
{
    /// <summary>
    /// Writes the current string (or property name) token, unescaped, at the scratch tail without
    /// committing it, and checks it is valid UTF-8: the reader checks JSON syntax but not the
    /// encoding of raw bytes, and unescaping is what catches lone surrogate escapes (\ud800).
    /// </summary>
    private static bool TryUnescape(ref Utf8JsonReader reader, ScratchBuffer scratch, out int length)
    {
        ReadOnlySpan<byte> raw = reader.ValueSpan;
        Span<byte> tail = scratch.GetSpan(raw.Length);
        if (!reader.ValueIsEscaped)
        {
            raw.CopyTo(tail);
            length = raw.Length;
        }
        else
        {
            try
            {
                length = reader.CopyString(tail);
            }
            catch (InvalidOperationException)
            {
                length = 0;
                return false;
            }
        }

        return Utf8.IsValid(tail[..length]);
    }

    /// <summary>Checks a token's text without keeping it; unescaped text needs no copy.</summary>
    private static bool IsValidText(ref Utf8JsonReader reader, ScratchBuffer scratch) =>
        reader.ValueIsEscaped ? TryUnescape(ref reader, scratch, out _) : Utf8.IsValid(reader.ValueSpan);

    /// <summary>Reads an optional string field into the scratch buffer. Null means absent.</summary>
    private static string? ReadString(ref Utf8JsonReader reader, ScratchBuffer scratch, StringFieldSpec spec, out FieldSlice slice, out bool present)
    {
        slice = default;
        present = false;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return spec.WrongType;
        }

        if (!TryUnescape(ref reader, scratch, out int length))
        {
            return spec.InvalidText;
        }

        if (length > spec.MaxBytes)
        {
            return spec.TooLong;
        }

        if (length == 0 && spec.NonEmpty)
        {
            return spec.Empty;
        }

        slice = new FieldSlice(scratch.Length, length);
        scratch.Advance(length);
        present = true;
        return null;
    }

    /// <summary>
    /// Moves the reader to the last token of the value that starts at <paramref name="valueDepth"/>,
    /// from wherever inside it the field reader stopped, still enforcing the nesting limit and
    /// the encoding of every string on the way (unknown fields are ignored, not unchecked).
    /// </summary>
    private static void FinishValue(ref Utf8JsonReader reader, int valueDepth, int eventDepth, IngestLimits limits, ScratchBuffer scratch, ref string? error)
    {
        while (reader.CurrentDepth != valueDepth || reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            if (!reader.Read())
            {
                return;
            }

            if (error is not null)
            {
                continue;
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    if (reader.CurrentDepth - eventDepth + 1 > limits.MaxDepth)
                    {
                        error = limits.TooDeepError;
                    }

                    break;
                case JsonTokenType.String or JsonTokenType.PropertyName:
                    if (!IsValidText(ref reader, scratch))
                    {
                        error = IngestMessages.InvalidUnknownValue;
                    }

                    break;
                default:
                    break;
            }
        }
    }
}
