namespace Pulse.Ingest;

/// <summary>The top-level event fields the parser understands; each value is one bit so a mask tracks duplicates.</summary>
[Flags]
internal enum KnownField
{
    None = 0,
    EventId = 1 << 0,
    Type = 1 << 1,
    Timestamp = 1 << 2,
    UserId = 1 << 3,
    AnonymousId = 1 << 4,
    SessionId = 1 << 5,
    Page = 1 << 6,
    Url = 1 << 7,
    Referrer = 1 << 8,
    ProductId = 1 << 9,
    Price = 1 << 10,
    Quantity = 1 << 11,
    Revenue = 1 << 12,
    Currency = 1 << 13,
    OrderId = 1 << 14,
    Country = 1 << 15,
    Device = 1 << 16,
    Properties = 1 << 17,
}

internal static class KnownFields
{
    /// <summary>The longest known name; longer keys are unknown without comparing.</summary>
    public const int MaxNameLength = 12;

    public static KnownField Match(ReadOnlySpan<byte> name) => name.Length switch
    {
        3 when name.SequenceEqual("url"u8) => KnownField.Url,
        4 when name.SequenceEqual("type"u8) => KnownField.Type,
        4 when name.SequenceEqual("page"u8) => KnownField.Page,
        5 when name.SequenceEqual("price"u8) => KnownField.Price,
        6 when name.SequenceEqual("device"u8) => KnownField.Device,
        7 when name.SequenceEqual("user_id"u8) => KnownField.UserId,
        7 when name.SequenceEqual("country"u8) => KnownField.Country,
        7 when name.SequenceEqual("revenue"u8) => KnownField.Revenue,
        8 when name.SequenceEqual("event_id"u8) => KnownField.EventId,
        8 when name.SequenceEqual("referrer"u8) => KnownField.Referrer,
        8 when name.SequenceEqual("quantity"u8) => KnownField.Quantity,
        8 when name.SequenceEqual("currency"u8) => KnownField.Currency,
        8 when name.SequenceEqual("order_id"u8) => KnownField.OrderId,
        9 when name.SequenceEqual("timestamp"u8) => KnownField.Timestamp,
        10 when name.SequenceEqual("session_id"u8) => KnownField.SessionId,
        10 when name.SequenceEqual("product_id"u8) => KnownField.ProductId,
        10 when name.SequenceEqual("properties"u8) => KnownField.Properties,
        12 when name.SequenceEqual("anonymous_id"u8) => KnownField.AnonymousId,
        _ => KnownField.None,
    };
}
