using System.Text.Json;
using Pulse.Events;

namespace Pulse.Ingest;

/// <summary>
/// Turns a request body into encoded events in one pass of <see cref="Utf8JsonReader"/>: no DOM,
/// no serializer, no per-event allocation. Never throws for any input: body-level problems become
/// <see cref="EventBatch.BodyError"/>, event-level ones <see cref="EventBatch.Errors"/>.
/// </summary>
public static partial class EventParser
{
    /// <summary>Beyond any <see cref="IngestLimits.MaxDepth"/>, so deep events are rejected one by one rather than voiding the body.</summary>
    private const int ReaderMaxDepth = 128;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        MaxDepth = ReaderMaxDepth,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    public static void Parse(ReadOnlySpan<byte> body, BodyFormat format, long arrivalTimeMs, IngestLimits limits, EventBatch output)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(output);
        output.Reset();
        if (body.Length >= 3 && body[0] == 0xEF && body[1] == 0xBB && body[2] == 0xBF)
        {
            body = body[3..];
        }

        try
        {
            if (format == BodyFormat.Ndjson)
            {
                ParseNdjson(body, arrivalTimeMs, limits, output);
            }
            else
            {
                ParseJson(body, arrivalTimeMs, limits, output);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or InvalidDataException or OverflowException)
        {
            // Only a parser bug gets here; the tests assert this message never appears.
            output.SetBodyError($"unparseable body: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private static void ParseJson(ReadOnlySpan<byte> body, long arrivalTimeMs, IngestLimits limits, EventBatch output)
    {
        if (IsBlank(body))
        {
            output.SetBodyError(IngestMessages.NoEvents);
            return;
        }

        Span<FieldSlice> fields = stackalloc FieldSlice[EventCodec.FieldCount];
        var reader = new Utf8JsonReader(body, isFinalBlock: true, new JsonReaderState(ReaderOptions));
        try
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                output.TotalSeen = 1;
                ParseOne(ref reader, 0, arrivalTimeMs, limits, output, fields);
            }
            else if (reader.TokenType == JsonTokenType.StartArray)
            {
                int index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (index == limits.MaxEventsPerRequest)
                    {
                        output.SetBodyError(limits.TooManyEventsError);
                        return;
                    }

                    output.TotalSeen = index + 1;
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        ParseOne(ref reader, index, arrivalTimeMs, limits, output, fields);
                    }
                    else
                    {
                        output.AddError(index, IngestMessages.NotAnObject);
                        reader.Skip();
                    }

                    index++;
                }

                if (index == 0)
                {
                    output.SetBodyError(IngestMessages.NoEvents);
                    return;
                }
            }
            else
            {
                output.SetBodyError(IngestMessages.BodyNotObjectOrArray);
                return;
            }

            // Throws on anything but whitespace after the top-level value.
            reader.Read();
        }
        catch (JsonException ex)
        {
            output.SetBodyError(Malformed(body, ex));
        }
    }

    private static void ParseOne(ref Utf8JsonReader reader, int index, long arrivalTimeMs, IngestLimits limits, EventBatch output, scoped Span<FieldSlice> fields)
    {
        string? error = ReadEvent(ref reader, arrivalTimeMs, limits, output.Scratch, fields, out EventHeader header);
        if (error is null)
        {
            output.Add(header, output.Scratch.Written, fields, index);
        }
        else
        {
            output.AddError(index, error);
        }
    }

    private static void ParseNdjson(ReadOnlySpan<byte> body, long arrivalTimeMs, IngestLimits limits, EventBatch output)
    {
        Span<FieldSlice> fields = stackalloc FieldSlice[EventCodec.FieldCount];
        int index = 0;
        int lineNumber = 0;
        while (!body.IsEmpty)
        {
            int newline = body.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = newline < 0 ? body : body[..newline];
            body = newline < 0 ? default : body[(newline + 1)..];
            lineNumber++;
            if (line.EndsWith("\r"u8))
            {
                line = line[..^1];
            }

            if (IsBlank(line))
            {
                continue;
            }

            if (index == limits.MaxEventsPerRequest)
            {
                output.SetBodyError(limits.TooManyEventsError);
                return;
            }

            output.TotalSeen = index + 1;
            ParseLine(line, lineNumber, index, arrivalTimeMs, limits, output, fields);
            index++;
        }

        if (index == 0)
        {
            output.SetBodyError(IngestMessages.NoEvents);
        }
    }

    private static void ParseLine(ReadOnlySpan<byte> line, int lineNumber, int index, long arrivalTimeMs, IngestLimits limits, EventBatch output, scoped Span<FieldSlice> fields)
    {
        var reader = new Utf8JsonReader(line, isFinalBlock: true, new JsonReaderState(ReaderOptions));
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                output.AddError(index, IngestMessages.NotAnObject);
                return;
            }

            string? error = ReadEvent(ref reader, arrivalTimeMs, limits, output.Scratch, fields, out EventHeader header);

            // A line is one object: trailing garbage voids it even when the object itself was fine.
            reader.Read();
            if (error is null)
            {
                output.Add(header, output.Scratch.Written, fields, index);
            }
            else
            {
                output.AddError(index, error);
            }
        }
        catch (JsonException ex)
        {
            output.AddError(index, $"malformed JSON at line {lineNumber}, byte {ex.BytePositionInLine ?? 0}: {Describe(ex)}");
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> text) => text.IndexOfAnyExcept(" \t\r\n"u8) < 0;

    internal static string Malformed(ReadOnlySpan<byte> body, JsonException ex)
    {
        // The reader reports line and column; a single absolute offset is easier to act on.
        long line = ex.LineNumber ?? 0;
        int lineStart = 0;
        for (long i = 0; i < line; i++)
        {
            int next = body[lineStart..].IndexOf((byte)'\n');
            if (next < 0)
            {
                break;
            }

            lineStart += next + 1;
        }

        long position = lineStart + (ex.BytePositionInLine ?? 0);
        return $"malformed JSON at byte {position}: {Describe(ex)}";
    }

    private static string Describe(JsonException ex)
    {
        string message = ex.Message;
        int suffix = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return suffix > 0 ? message[..suffix] : message;
    }
}
