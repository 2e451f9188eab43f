using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pulse.Http.OpenApi;

// The shapes of Segment's HTTP Tracking API as Pulse reads them (docs/ecosystem.md), for the OpenAPI document only.

[Description("One Segment call (track, page, screen, identify, group or alias). /v1/track, /v1/page and /v1/identify decide the type themselves.")]
public sealed class SegmentCallInput
{
    [JsonPropertyName("type"), Description("In a batch: track, page, screen, identify, group or alias.")]
    public string? Type { get; init; }

    [JsonPropertyName("userId"), Description("Required, or anonymousId.")]
    public string? UserId { get; init; }

    [JsonPropertyName("anonymousId")]
    public string? AnonymousId { get; init; }

    [JsonPropertyName("event"), Description("track: the event name. E-commerce spec names map to Pulse types (Order Completed -> purchase); others are normalised (Signed Up -> signed_up).")]
    public string? Event { get; init; }

    [JsonPropertyName("name"), Description("page / screen name.")]
    public string? Name { get; init; }

    [JsonPropertyName("category")]
    public string? Category { get; init; }

    [JsonPropertyName("properties")]
    public Dictionary<string, JsonElement>? Properties { get; init; }

    [JsonPropertyName("traits"), Description("identify / group.")]
    public Dictionary<string, JsonElement>? Traits { get; init; }

    [JsonPropertyName("context"), Description("page.path/url/referrer, location.country and device.type are used.")]
    public Dictionary<string, JsonElement>? Context { get; init; }

    [JsonPropertyName("messageId"), Description("Becomes the event_id, so retries are counted once.")]
    public string? MessageId { get; init; }

    [JsonPropertyName("timestamp"), Description("ISO 8601 or epoch ms.")]
    public string? Timestamp { get; init; }

    [JsonPropertyName("originalTimestamp"), Description("Used, corrected by sentAt's clock skew, when timestamp is absent.")]
    public string? OriginalTimestamp { get; init; }

    [JsonPropertyName("sentAt")]
    public string? SentAt { get; init; }

    [JsonPropertyName("groupId")]
    public string? GroupId { get; init; }

    [JsonPropertyName("previousId")]
    public string? PreviousId { get; init; }
}

[Description("POST /v1/batch: the batch's context and sentAt stand in for what a call lacks.")]
public sealed class SegmentBatchInput
{
    [JsonPropertyName("batch")]
    public required IReadOnlyList<SegmentCallInput> Batch { get; init; }

    [JsonPropertyName("context")]
    public Dictionary<string, JsonElement>? Context { get; init; }

    [JsonPropertyName("sentAt")]
    public string? SentAt { get; init; }
}

[Description("Segment's answer with Pulse's counts beside it; sent once the accepted events are durable. 'index' in errors is the call's position in 'batch'.")]
public sealed record SegmentResponse(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("accepted")] int Accepted,
    [property: JsonPropertyName("duplicates")] int Duplicates,
    [property: JsonPropertyName("rejected")] int Rejected,
    [property: JsonPropertyName("errors")] IReadOnlyList<IngestErrorDocument> Errors,
    [property: JsonPropertyName("errors_truncated")] int? ErrorsTruncated = null);
