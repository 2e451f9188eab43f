using Pulse.Events;

namespace Pulse.Ingest;

/// <summary>What the parser has gathered of one event before it is validated as a whole and encoded.</summary>
internal struct EventState
{
    public KnownField Seen;
    public KnownField Present;
    public FieldSlice UserId;
    public FieldSlice AnonymousId;
    public long EventTimeMs;
    public long PriceMicros;
    public long RevenueMicros;
    public int Quantity;

    public readonly bool Has(KnownField field) => (Present & field) != 0;
}
