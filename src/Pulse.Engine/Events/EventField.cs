namespace Pulse.Events;

/// <summary>
/// The variable-length fields of an encoded event, in their on-disk order. Every field but
/// <see cref="Properties"/> is a UTF-8 string of at most 2048 bytes; an absent field has length 0.
/// </summary>
public enum EventField
{
    EventId = 0,
    Type = 1,
    /// <summary>The effective user: <c>user_id</c>, or <c>anonymous_id</c> when that is absent (see <see cref="EventFlags.AnonymousUser"/>).</summary>
    User = 2,
    SessionId = 3,
    Page = 4,
    Url = 5,
    Referrer = 6,
    ProductId = 7,
    Currency = 8,
    OrderId = 9,
    Country = 10,
    Device = 11,
    /// <summary>The <c>properties</c> object as compact JSON (UTF-8), or empty.</summary>
    Properties = 12,
}

[Flags]
public enum EventFlags : byte
{
    None = 0,
    AnonymousUser = 1,
    HasPrice = 2,
    HasRevenue = 4,
    GeneratedEventId = 8,
}
