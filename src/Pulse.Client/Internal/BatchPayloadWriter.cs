using System.IO.Compression;
using System.Text.Json;

namespace Pulse.Client.Internal;

/// <summary>
/// Writes a batch as one JSON array with <see cref="Utf8JsonWriter"/>, gzipped or not, into a buffer
/// reused from batch to batch. The bytes are made once per batch and sent as they are on every retry,
/// so a retry carries exactly the same event ids.
/// </summary>
internal sealed class BatchPayloadWriter : IDisposable
{
    private readonly MemoryStream _buffer = new();
    private readonly Utf8JsonWriter _json = new(Stream.Null, new JsonWriterOptions { SkipValidation = true });

    public ArraySegment<byte> Write(IReadOnlyList<PulseEvent> batch, bool gzip)
    {
        _buffer.SetLength(0);
        if (gzip)
        {
            using (var compressor = new GZipStream(_buffer, CompressionLevel.Fastest, leaveOpen: true))
            {
                WriteArray(compressor, batch);
            }
        }
        else
        {
            WriteArray(_buffer, batch);
        }

        return new ArraySegment<byte>(_buffer.GetBuffer(), 0, (int)_buffer.Length);
    }

    private void WriteArray(Stream destination, IReadOnlyList<PulseEvent> batch)
    {
        _json.Reset(destination);
        _json.WriteStartArray();
        for (int i = 0; i < batch.Count; i++)
        {
            WriteEvent(_json, batch[i]);
        }

        _json.WriteEndArray();
        _json.Flush();
        // Let go of the destination: a gzip stream is disposed right after, and the writer must not flush into it later.
        _json.Reset(Stream.Null);
    }

    internal static void WriteEvent(Utf8JsonWriter w, PulseEvent e)
    {
        w.WriteStartObject();
        w.WriteString("event_id"u8, e.EventId);
        w.WriteString("type"u8, e.Type);
        w.WriteNumber("timestamp"u8, e.Timestamp.ToUnixTimeMilliseconds());
        Optional(w, "user_id"u8, e.UserId);
        Optional(w, "anonymous_id"u8, e.AnonymousId);
        Optional(w, "session_id"u8, e.SessionId);
        Optional(w, "page"u8, e.Page);
        Optional(w, "url"u8, e.Url);
        Optional(w, "referrer"u8, e.Referrer);
        Optional(w, "product_id"u8, e.ProductId);
        if (e.Price is decimal price)
        {
            w.WriteNumber("price"u8, price);
        }

        if (e.Quantity is int quantity)
        {
            w.WriteNumber("quantity"u8, quantity);
        }

        if (e.Revenue is decimal revenue)
        {
            w.WriteNumber("revenue"u8, revenue);
        }

        Optional(w, "currency"u8, e.Currency);
        Optional(w, "order_id"u8, e.OrderId);
        Optional(w, "country"u8, e.Country);
        Optional(w, "device"u8, e.Device);
        if (e.PropertiesOrNull is { Count: > 0 } properties)
        {
            w.WriteStartObject("properties"u8);
            foreach (KeyValuePair<string, PulsePropertyValue> property in properties)
            {
                WriteProperty(w, property.Key, property.Value);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteProperty(Utf8JsonWriter w, string name, PulsePropertyValue value)
    {
        switch (value.Kind)
        {
            case PulsePropertyKind.String:
                w.WriteString(name, value.Text);
                break;
            case PulsePropertyKind.Decimal:
                w.WriteNumber(name, value.Number);
                break;
            case PulsePropertyKind.Double:
                w.WriteNumber(name, value.Floating);
                break;
            default:
                w.WriteBoolean(name, value.Flag);
                break;
        }
    }

    private static void Optional(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    public void Dispose()
    {
        _json.Dispose();
        _buffer.Dispose();
    }
}
