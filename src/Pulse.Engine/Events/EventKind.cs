namespace Pulse.Events;

/// <summary>The event types the engine knows; anything else matching <c>[a-z0-9_]{1,64}</c> is <see cref="Custom"/>.</summary>
public enum EventKind : byte
{
    Custom = 0,
    PageView = 1,
    Click = 2,
    AddToCart = 3,
    RemoveFromCart = 4,
    Checkout = 5,
    Purchase = 6,
    SessionStart = 7,
    SessionEnd = 8,
}

public static class EventKinds
{
    public static EventKind FromName(ReadOnlySpan<byte> type) => type switch
    {
        _ when type.SequenceEqual("page_view"u8) => EventKind.PageView,
        _ when type.SequenceEqual("click"u8) => EventKind.Click,
        _ when type.SequenceEqual("add_to_cart"u8) => EventKind.AddToCart,
        _ when type.SequenceEqual("remove_from_cart"u8) => EventKind.RemoveFromCart,
        _ when type.SequenceEqual("checkout"u8) => EventKind.Checkout,
        _ when type.SequenceEqual("purchase"u8) => EventKind.Purchase,
        _ when type.SequenceEqual("session_start"u8) => EventKind.SessionStart,
        _ when type.SequenceEqual("session_end"u8) => EventKind.SessionEnd,
        _ => EventKind.Custom,
    };
}
