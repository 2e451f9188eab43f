using System.Text;
using System.Text.Json;

namespace Pulse.Ingest.Segment;

/// <summary>
/// Translates bodies of Segment's HTTP Tracking API (track, page, screen, identify, group, alias,
/// batch) into Pulse events, with <see cref="Utf8JsonReader"/> and <see cref="Utf8JsonWriter"/>
/// only: no DOM, no serializer. Each call becomes one line of Pulse NDJSON, which the caller hands
/// to <see cref="EventParser"/>, so Segment events get exactly the validation, limits and encoding
/// of <c>POST /v1/events</c>. Never throws for any input: body-level problems become
/// <see cref="SegmentTranslation.BodyError"/>, call-level ones <see cref="SegmentTranslation.Errors"/>.
/// </summary>
public static partial class SegmentTranslator
{
    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        MaxDepth = 128,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    public static void Translate(ReadOnlySpan<byte> body, SegmentCall call, long arrivalTimeMs, IngestLimits limits, SegmentTranslation output)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(output);
        output.Reset();
        if (body.Length >= 3 && body[0] == 0xEF && body[1] == 0xBB && body[2] == 0xBF)
        {
            body = body[3..];
        }

        if (body.IndexOfAnyExcept(" \t\r\n"u8) < 0)
        {
            output.SetBodyError(IngestMessages.NoEvents);
            return;
        }

        try
        {
            var reader = new Utf8JsonReader(body, isFinalBlock: true, new JsonReaderState(ReaderOptions));
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                output.SetBodyError(call == SegmentCall.Batch ? SegmentMessages.BatchShape : SegmentMessages.BodyNotObject);
                return;
            }

            RawValue top = RawValue.Capture(ref reader, 0);

            // Throws on anything but whitespace after the top-level value, before anything is translated.
            reader.Read();
            var scope = new CallScope(arrivalTimeMs, limits, output);
            if (call == SegmentCall.Batch)
            {
                TranslateBatch(body, top, ref scope);
            }
            else
            {
                output.TotalSeen = 1;
                TranslateCall(body, top, 0, call, ref scope);
            }
        }
        catch (JsonException ex)
        {
            output.SetBodyError(EventParser.Malformed(body, ex));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or OverflowException)
        {
            // Only a translator bug gets here; the tests assert this message never appears.
            output.SetBodyError($"untranslatable body: {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary><c>{"batch": [...], "context": {...}, "sentAt": ...}</c>: the batch's context and sentAt stand in for what a call lacks.</summary>
    private static void TranslateBatch(ReadOnlySpan<byte> body, RawValue top, ref CallScope scope)
    {
        RawValue batch = default, context = default, sentAt = default;
        var reader = new Utf8JsonReader(top.Raw(body), isFinalBlock: true, new JsonReaderState(ReaderOptions));
        reader.Read();
        Span<byte> keyBuffer = stackalloc byte[KeyBufferBytes];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ReadOnlySpan<byte> key = !reader.ValueIsEscaped ? reader.ValueSpan : UnescapeKey(ref reader, keyBuffer) is int n and >= 0 ? keyBuffer[..n] : default;
            reader.Read();
            RawValue value = RawValue.Capture(ref reader, top.Start);
            if (key.SequenceEqual("batch"u8))
            {
                batch = value;
            }
            else if (key.SequenceEqual("context"u8))
            {
                context = value;
            }
            else if (key.SequenceEqual("sentAt"u8))
            {
                sentAt = value;
            }
        }

        if (!batch.IsArray)
        {
            scope.Output.SetBodyError(SegmentMessages.BatchShape);
            return;
        }

        scope.BatchContext = ScanContext(body, context);
        scope.BatchSentAt = sentAt;
        var items = new Utf8JsonReader(batch.Raw(body), isFinalBlock: true, new JsonReaderState(ReaderOptions));
        items.Read();
        int index = 0;
        while (items.Read() && items.TokenType != JsonTokenType.EndArray)
        {
            if (index == scope.Limits.MaxEventsPerRequest)
            {
                scope.Output.SetBodyError(scope.Limits.TooManyEventsError);
                return;
            }

            scope.Output.TotalSeen = index + 1;
            RawValue call = RawValue.Capture(ref items, batch.Start);
            if (call.IsObject)
            {
                TranslateCall(body, call, index, SegmentCall.Batch, ref scope);
            }
            else
            {
                scope.Output.AddError(index, IngestMessages.NotAnObject);
            }

            index++;
        }

        if (index == 0)
        {
            scope.Output.SetBodyError(IngestMessages.NoEvents);
        }
    }

    /// <summary>One call: its fields read, checked, and written as one line; or its rejection recorded and nothing written.</summary>
    private static void TranslateCall(ReadOnlySpan<byte> body, RawValue call, int index, SegmentCall endpoint, ref CallScope scope)
    {
        MessageFields fields = ScanMessage(body, call);
        string? error = ResolveType(body, endpoint, fields.Type, out SegmentMessageType type);
        PooledBufferWriter buffer = scope.Output.Buffer;
        int mark = buffer.Length;
        Utf8JsonWriter writer = scope.Output.Writer;
        writer.Reset(buffer);
        error ??= WriteEvent(body, fields, type, ref scope, writer);
        if (error is not null)
        {
            writer.Reset(buffer);
            buffer.Truncate(mark);
            scope.Output.AddError(index, error);
            return;
        }

        writer.Flush();
        scope.Output.CommitLine(index);
    }

    private static string? ResolveType(ReadOnlySpan<byte> body, SegmentCall endpoint, RawValue typeValue, out SegmentMessageType type)
    {
        // The single-call endpoints decide the type themselves, whatever the body says (as Segment does).
        switch (endpoint)
        {
            case SegmentCall.Track:
                type = SegmentMessageType.Track;
                return null;
            case SegmentCall.Page:
                type = SegmentMessageType.Page;
                return null;
            case SegmentCall.Identify:
                type = SegmentMessageType.Identify;
                return null;
            default:
                break;
        }

        type = SegmentMessageType.Track;
        if (!typeValue.IsSet)
        {
            return SegmentMessages.MissingType;
        }

        Span<byte> buffer = stackalloc byte[16];
        if (!typeValue.IsString || !TryText(body, typeValue, buffer, out ReadOnlySpan<byte> name))
        {
            return SegmentMessages.UnknownType;
        }

        if (Ascii.EqualsIgnoreCase(name, "track"u8))
        {
            type = SegmentMessageType.Track;
        }
        else if (Ascii.EqualsIgnoreCase(name, "page"u8))
        {
            type = SegmentMessageType.Page;
        }
        else if (Ascii.EqualsIgnoreCase(name, "screen"u8))
        {
            type = SegmentMessageType.Screen;
        }
        else if (Ascii.EqualsIgnoreCase(name, "identify"u8))
        {
            type = SegmentMessageType.Identify;
        }
        else if (Ascii.EqualsIgnoreCase(name, "group"u8))
        {
            type = SegmentMessageType.Group;
        }
        else if (Ascii.EqualsIgnoreCase(name, "alias"u8))
        {
            type = SegmentMessageType.Alias;
        }
        else
        {
            return SegmentMessages.UnknownType;
        }

        return null;
    }

    /// <summary>What every call of one request shares.</summary>
    private struct CallScope(long arrivalTimeMs, IngestLimits limits, SegmentTranslation output)
    {
        public readonly long ArrivalTimeMs = arrivalTimeMs;
        public readonly IngestLimits Limits = limits;
        public readonly SegmentTranslation Output = output;
        public ContextFields BatchContext;
        public RawValue BatchSentAt;
    }
}
