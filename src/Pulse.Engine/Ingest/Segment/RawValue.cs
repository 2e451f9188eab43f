using System.Text.Json;

namespace Pulse.Ingest.Segment;

/// <summary>
/// Where one JSON value sits in the body: its bytes as written (strings with their quotes, objects
/// and arrays whole), so the translator can copy values without decoding them and come back to
/// objects with a reader of their own.
/// </summary>
internal readonly struct RawValue(int start, int length, JsonTokenType kind, bool escaped)
{
    public int Start { get; } = start;
    public int Length { get; } = length;
    public JsonTokenType Kind { get; } = kind;

    /// <summary>For strings: whether the text holds escapes (then reading it needs unescaping).</summary>
    public bool Escaped { get; } = escaped;

    /// <summary>Present and not JSON null.</summary>
    public bool IsSet => Kind is not (JsonTokenType.None or JsonTokenType.Null);

    public bool IsString => Kind == JsonTokenType.String;
    public bool IsNumber => Kind == JsonTokenType.Number;
    public bool IsObject => Kind == JsonTokenType.StartObject;
    public bool IsArray => Kind == JsonTokenType.StartArray;

    /// <summary>A string with at least one character, or a number (Segment ids may be either).</summary>
    public bool IsIdentifier => (IsString && Length > 2) || IsNumber;

    public ReadOnlySpan<byte> Raw(ReadOnlySpan<byte> body) => body.Slice(Start, Length);

    /// <summary>The value the reader is on, as it sits in the body; objects and arrays are skipped over to their end.</summary>
    public static RawValue Capture(ref Utf8JsonReader reader, int offset)
    {
        JsonTokenType kind = reader.TokenType;
        int start = offset + (int)reader.TokenStartIndex;
        if (kind is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            reader.Skip();
            return new RawValue(start, offset + (int)reader.BytesConsumed - start, kind, escaped: false);
        }

        int length = kind == JsonTokenType.String ? reader.ValueSpan.Length + 2 : reader.ValueSpan.Length;
        return new RawValue(start, length, kind, reader.ValueIsEscaped);
    }
}
