using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pulse.Http.OpenApi;

// The shapes of the ingest endpoints' JSON, for the OpenAPI document only: the endpoints read and
// write JSON with Utf8JsonReader/Writer, never through these types. OpenApiDocumentTests compares
// them with real responses, so they cannot drift unnoticed.

[Description("One event of POST /v1/events. Send one, a JSON array of them, or NDJSON (one per line). Unknown fields are ignored.")]
public sealed class EventInput
{
    [JsonPropertyName("event_id"), Description("At most 128 bytes; generated when absent. Retries with the same id are counted once.")]
    public string? EventId { get; init; }

    [JsonPropertyName("type"), Description("[a-z0-9_]{1,64}. Known: page_view, click, add_to_cart, remove_from_cart, checkout, purchase, session_start, session_end; any other is a custom event.")]
    public required string Type { get; init; }

    [JsonPropertyName("timestamp"), Description("Event time: RFC 3339 string or epoch milliseconds; default the time received.")]
    public JsonElement? Timestamp { get; init; }

    [JsonPropertyName("user_id"), Description("Required, or anonymous_id. At most 256 bytes.")]
    public string? UserId { get; init; }

    [JsonPropertyName("anonymous_id"), Description("The user when user_id is absent.")]
    public string? AnonymousId { get; init; }

    [JsonPropertyName("session_id"), Description("Derived from a 30-minute inactivity gap when absent.")]
    public string? SessionId { get; init; }

    [JsonPropertyName("page"), Description("Path, e.g. /product/42.")]
    public string? Page { get; init; }

    [JsonPropertyName("url")]
    public string? Url { get; init; }

    [JsonPropertyName("referrer")]
    public string? Referrer { get; init; }

    [JsonPropertyName("product_id")]
    public string? ProductId { get; init; }

    [JsonPropertyName("price"), Description(">= 0")]
    public decimal? Price { get; init; }

    [JsonPropertyName("quantity"), Description(">= 1, default 1")]
    public int? Quantity { get; init; }

    [JsonPropertyName("revenue"), Description("For purchase; default price x quantity.")]
    public decimal? Revenue { get; init; }

    [JsonPropertyName("currency"), Description("ISO 4217, e.g. EUR.")]
    public string? Currency { get; init; }

    [JsonPropertyName("order_id")]
    public string? OrderId { get; init; }

    [JsonPropertyName("country")]
    public string? Country { get; init; }

    [JsonPropertyName("device")]
    public string? Device { get; init; }

    [JsonPropertyName("properties"), Description("Strings, numbers and booleans; at most 64 entries.")]
    public Dictionary<string, JsonElement>? Properties { get; init; }
}

[Description("Why the event at 'index' (0-based position in the body) was rejected.")]
public sealed record IngestErrorDocument(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("error")] string Error);

[Description("Sent only once every accepted event is durable.")]
public sealed record IngestResponse(
    [property: JsonPropertyName("accepted")] int Accepted,
    [property: JsonPropertyName("duplicates"), Description("Events whose event_id was already seen within the dedupe horizon.")] int Duplicates,
    [property: JsonPropertyName("rejected")] int Rejected,
    [property: JsonPropertyName("errors"), Description("The first 100 rejections.")] IReadOnlyList<IngestErrorDocument> Errors,
    [property: JsonPropertyName("errors_truncated"), Description("Rejections beyond the first 100, when there are any.")] int? ErrorsTruncated = null);
