using System.Runtime.InteropServices;

namespace Pulse.Events;

/// <summary>
/// The fixed-size part of an encoded event: everything the aggregation hot path needs without
/// touching strings. Money is in micro-units (1/1,000,000 of the currency unit) so sums are exact.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct EventHeader
{
    public const int Size = 56;

    /// <summary>Event time, epoch milliseconds.</summary>
    public long EventTimeMs;

    /// <summary>Time the server received the event, epoch milliseconds (drives the dedupe horizon).</summary>
    public long ArrivalTimeMs;

    /// <summary><see cref="Hash64"/> of the UTF-8 event_id: the dedupe identity.</summary>
    public ulong EventIdHash;

    /// <summary><see cref="Hash64"/> of the effective user: decides the partition and feeds unique counts.</summary>
    public ulong UserHash;

    /// <summary>Purchase revenue in micro-units: <c>revenue</c>, else <c>price * quantity</c>; 0 for other types.</summary>
    public long RevenueMicros;

    /// <summary>Price in micro-units when <see cref="EventFlags.HasPrice"/> is set.</summary>
    public long PriceMicros;

    public int Quantity;
    public EventKind Kind;
    public EventFlags Flags;
    public ushort Reserved;
}
