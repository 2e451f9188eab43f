using System.Buffers.Text;
using System.Text.Json;

namespace Pulse.Ingest.Segment;

public static partial class SegmentTranslator
{
    /// <summary>Room for any key the translator compares against, even written with escapes.</summary>
    private const int KeyBufferBytes = 128;

    /// <summary>
    /// Unescapes the current property name into <paramref name="buffer"/>: its length, or -1 when it
    /// cannot be a key the translator knows. Unescaped names are used straight from the reader.
    /// </summary>
    private static int UnescapeKey(ref Utf8JsonReader reader, scoped Span<byte> buffer)
    {
        if (reader.ValueSpan.Length > buffer.Length)
        {
            return -1;
        }

        try
        {
            return reader.CopyString(buffer);
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }

    /// <summary>The text of a string value, unescaped into <paramref name="buffer"/> when it needs it; false when it does not fit or is not valid.</summary>
    private static bool TryText(ReadOnlySpan<byte> body, RawValue value, Span<byte> buffer, out ReadOnlySpan<byte> text)
    {
        ReadOnlySpan<byte> content = body.Slice(value.Start + 1, value.Length - 2);
        if (!value.Escaped)
        {
            text = content;
            return true;
        }

        text = default;
        if (content.Length > buffer.Length)
        {
            return false;
        }

        var reader = new Utf8JsonReader(value.Raw(body), isFinalBlock: true, new JsonReaderState(ReaderOptions));
        reader.Read();
        try
        {
            text = buffer[..reader.CopyString(buffer)];
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static MessageFields ScanMessage(ReadOnlySpan<byte> body, RawValue call)
    {
        var fields = default(MessageFields);
        var reader = new Utf8JsonReader(call.Raw(body), isFinalBlock: true, new JsonReaderState(ReaderOptions));
        reader.Read();
        Span<byte> keyBuffer = stackalloc byte[KeyBufferBytes];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ReadOnlySpan<byte> key = !reader.ValueIsEscaped ? reader.ValueSpan : UnescapeKey(ref reader, keyBuffer) is int n and >= 0 ? keyBuffer[..n] : default;
            reader.Read();
            fields.Set(key, RawValue.Capture(ref reader, call.Start));
        }

        return fields;
    }

    /// <summary><c>context.page.{path,url,referrer}</c>, <c>context.location.country</c>, <c>context.device.type</c>, <c>context.traits</c>.</summary>
    private static ContextFields ScanContext(ReadOnlySpan<byte> body, RawValue context)
    {
        var fields = default(ContextFields);
        if (!context.IsObject)
        {
            return fields;
        }

        FindMembers(body, context, "page"u8, out RawValue page, "location"u8, out RawValue location, "device"u8, out RawValue device, "traits"u8, out fields.Traits);
        FindMembers(body, page, "path"u8, out fields.PagePath, "url"u8, out fields.PageUrl, "referrer"u8, out fields.PageReferrer, default, out _);
        FindMembers(body, location, "country"u8, out fields.Country, default, out _, default, out _, default, out _);
        FindMembers(body, device, "type"u8, out fields.Device, default, out _, default, out _, default, out _);
        return fields;
    }

    /// <summary>Up to four named members of an object (not an object: none found).</summary>
    private static void FindMembers(ReadOnlySpan<byte> body, RawValue obj,
        ReadOnlySpan<byte> name0, out RawValue value0, ReadOnlySpan<byte> name1, out RawValue value1,
        ReadOnlySpan<byte> name2, out RawValue value2, ReadOnlySpan<byte> name3, out RawValue value3)
    {
        value0 = value1 = value2 = value3 = default;
        if (!obj.IsObject)
        {
            return;
        }

        var reader = new Utf8JsonReader(obj.Raw(body), isFinalBlock: true, new JsonReaderState(ReaderOptions));
        reader.Read();
        Span<byte> keyBuffer = stackalloc byte[KeyBufferBytes];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ReadOnlySpan<byte> key = !reader.ValueIsEscaped ? reader.ValueSpan : UnescapeKey(ref reader, keyBuffer) is int n and >= 0 ? keyBuffer[..n] : default;
            reader.Read();
            RawValue value = RawValue.Capture(ref reader, obj.Start);
            if (key.IsEmpty)
            {
                continue;
            }

            if (key.SequenceEqual(name0))
            {
                value0 = value;
            }
            else if (key.SequenceEqual(name1))
            {
                value1 = value;
            }
            else if (key.SequenceEqual(name2))
            {
                value2 = value;
            }
            else if (key.SequenceEqual(name3))
            {
                value3 = value;
            }
        }
    }

    private static PropertyFields ScanProperties(ReadOnlySpan<byte> body, RawValue properties)
    {
        var fields = default(PropertyFields);
        if (!properties.IsObject)
        {
            return fields;
        }

        var reader = new Utf8JsonReader(properties.Raw(body), isFinalBlock: true, new JsonReaderState(ReaderOptions));
        reader.Read();
        Span<byte> keyBuffer = stackalloc byte[KeyBufferBytes];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            PropertyKey key = PropertyFields.Match(!reader.ValueIsEscaped ? reader.ValueSpan : UnescapeKey(ref reader, keyBuffer) is int n and >= 0 ? keyBuffer[..n] : default);
            reader.Read();
            fields.Set(key, RawValue.Capture(ref reader, properties.Start));
        }

        return fields;
    }

    /// <summary>Sums <c>products[]</c>: items (quantity, default 1), value (price × quantity) and the product of a one-line order.</summary>
    private static string? ScanProducts(ReadOnlySpan<byte> body, RawValue products, out ProductLines lines)
    {
        lines = default;
        if (!products.IsArray)
        {
            return null;
        }

        var reader = new Utf8JsonReader(products.Raw(body), isFinalBlock: true, new JsonReaderState(ReaderOptions));
        reader.Read();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            RawValue line = RawValue.Capture(ref reader, products.Start);
            if (!line.IsObject)
            {
                continue;
            }

            FindMembers(body, line, "product_id"u8, out RawValue productId, "sku"u8, out RawValue sku, "price"u8, out RawValue price, "quantity"u8, out RawValue quantity);
            long count = quantity.IsNumber && Utf8Parser.TryParse(quantity.Raw(body), out long q, out int used) && used == quantity.Length && q >= 1 ? q : 1;
            lines.Lines++;
            lines.Items += count;
            lines.OnlyProductId = lines.Lines == 1 ? (productId.IsIdentifier ? productId : sku.IsIdentifier ? sku : default) : default;
            if (price.IsNumber && Utf8Parser.TryParse(price.Raw(body), out decimal amount, out int consumed) && consumed == price.Length)
            {
                try
                {
                    lines.Revenue = checked(lines.Revenue + (amount * count));
                    lines.HasRevenue = true;
                }
                catch (OverflowException)
                {
                    return IngestMessages.RevenueOverflow;
                }
            }
        }

        return null;
    }

    /// <summary>A Segment time: an ISO 8601 / RFC 3339 string, or epoch milliseconds.</summary>
    private static bool TryParseTime(ReadOnlySpan<byte> body, RawValue value, out long epochMs)
    {
        epochMs = 0;
        if (value.IsNumber)
        {
            return Utf8Parser.TryParse(value.Raw(body), out epochMs, out int used) && used == value.Length;
        }

        Span<byte> buffer = stackalloc byte[64];
        return value.IsString && value.Length <= 66 && TryText(body, value, buffer, out ReadOnlySpan<byte> text) && Rfc3339.TryParse(text, out epochMs);
    }

    /// <summary>
    /// The event time, as Segment computes it: <c>timestamp</c> when given; else <c>originalTimestamp</c>
    /// (the device's clock) corrected by how far the device's <c>sentAt</c> is off the time Pulse received
    /// the request; else none (the parser uses the arrival time).
    /// </summary>
    private static string? ResolveTime(ReadOnlySpan<byte> body, in MessageFields fields, RawValue batchSentAt, long arrivalTimeMs, out long epochMs, out bool present)
    {
        epochMs = 0;
        present = false;
        if (fields.Timestamp.IsSet)
        {
            if (!TryParseTime(body, fields.Timestamp, out epochMs))
            {
                return SegmentMessages.TimestampFormat;
            }
        }
        else if (fields.OriginalTimestamp.IsSet)
        {
            if (!TryParseTime(body, fields.OriginalTimestamp, out long original))
            {
                return SegmentMessages.OriginalTimestampFormat;
            }

            RawValue sentAt = fields.SentAt.IsSet ? fields.SentAt : batchSentAt;
            epochMs = original;
            if (sentAt.IsSet)
            {
                if (!TryParseTime(body, sentAt, out long sent))
                {
                    return SegmentMessages.SentAtFormat;
                }

                epochMs = arrivalTimeMs - (sent - original);
            }
        }
        else
        {
            return null;
        }

        if (epochMs < 0)
        {
            return IngestMessages.TimestampNegative;
        }

        present = true;
        return null;
    }
}
