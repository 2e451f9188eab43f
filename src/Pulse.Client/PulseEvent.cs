namespace Pulse.Client;

/// <summary>
/// One event for <c>POST /v1/events</c>. Its <see cref="EventId"/> is made once, when the event is
/// created, and sent unchanged on every retry, so Pulse's dedupe counts a retried event once.
/// </summary>
public sealed class PulseEvent
{
    private Dictionary<string, PulsePropertyValue>? _properties;

    /// <summary>An event of <paramref name="type"/> (<c>[a-z0-9_]{1,64}</c>) that happened now.</summary>
    public PulseEvent(string type)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        Type = type;
        // Version 7: time-ordered, so ids of one client sort roughly by creation.
        EventId = Guid.CreateVersion7().ToString("N");
        Timestamp = DateTimeOffset.UtcNow;
    }

    /// <summary>Unique per event (≤128 characters); set it to make an id of your own, e.g. from an order number.</summary>
    public string EventId { get; init; }

    /// <summary><c>page_view</c>, <c>click</c>, <c>add_to_cart</c>, <c>purchase</c>, ... or a custom name.</summary>
    public string Type { get; }

    /// <summary>
    /// Event time. Defaults to the creation of this object, not to when the batch reaches the server,
    /// so batching and retries do not move the event in time.
    /// </summary>
    public DateTimeOffset Timestamp { get; set; }

    /// <summary>The user; required unless <see cref="AnonymousId"/> is set.</summary>
    public string? UserId { get; set; }

    /// <summary>The user when <see cref="UserId"/> is absent.</summary>
    public string? AnonymousId { get; set; }

    /// <summary>Optional; Pulse derives sessions from a 30-minute gap when absent.</summary>
    public string? SessionId { get; set; }

    /// <summary>The path, e.g. <c>/product/42</c>.</summary>
    public string? Page { get; set; }

    /// <summary>The full address (≤2048 characters).</summary>
    public string? Url { get; set; }

    /// <summary>The referring address (≤2048 characters).</summary>
    public string? Referrer { get; set; }

    /// <summary>The product the event is about.</summary>
    public string? ProductId { get; set; }

    /// <summary>Unit price (≥0), summed exactly by Pulse.</summary>
    public decimal? Price { get; set; }

    /// <summary>≥1; Pulse takes 1 when absent.</summary>
    public int? Quantity { get; set; }

    /// <summary>For <c>purchase</c>; Pulse takes price × quantity when absent.</summary>
    public decimal? Revenue { get; set; }

    /// <summary>ISO 4217 code.</summary>
    public string? Currency { get; set; }

    /// <summary>The order of a <c>checkout</c> or <c>purchase</c>.</summary>
    public string? OrderId { get; set; }

    /// <summary>A dimension (≤64 characters), e.g. an ISO country code.</summary>
    public string? Country { get; set; }

    /// <summary>A dimension (≤64 characters), e.g. <c>mobile</c>.</summary>
    public string? Device { get; set; }

    /// <summary>Up to 64 custom properties (string, number or boolean), e.g. <c>Properties = { ["plan"] = "pro" }</c>.</summary>
    public Dictionary<string, PulsePropertyValue> Properties => _properties ??= [];

    internal Dictionary<string, PulsePropertyValue>? PropertiesOrNull => _properties;
}
