namespace Pulse.Analytics.Patterns;

/// <summary>
/// One user's progress in one pattern. Created by <see cref="PatternMatcher.NewState"/> (the only
/// allocation: its fixed-size arrays), changed only by its matcher, saved with <see cref="Write"/>
/// and restored with <see cref="PatternMatcher.ReadState"/>.
/// </summary>
public sealed partial class PatternState
{
    internal PatternState(PatternKind kind, ulong fingerprint, int slots)
    {
        Kind = kind;
        Fingerprint = fingerprint;
        Entries = new PatternEntry[slots];
    }

    internal PatternKind Kind { get; }
    internal ulong Fingerprint { get; }

    /// <summary>The last event applied, in (time, offset) order: anything not after it is a replay and is ignored.</summary>
    internal bool HasLast;
    internal long LastTimeMs;
    internal long LastOffset;

    /// <summary>The session of the last event applied.</summary>
    internal bool HasSession;
    internal long SessionStartMs;

    /// <summary>
    /// Absence: [0] is the pending candidate. Count: a ring of the last at_least matching events.
    /// Sequence: [j] is the latest-starting partial match with steps 0..j done.
    /// </summary>
    internal PatternEntry[] Entries;

    /// <summary>Absence: whether Entries[0] is pending. Count: events in the ring. Sequence: unused.</summary>
    internal int Used;

    /// <summary>Count: the ring's oldest entry.</summary>
    internal int Head;

    /// <summary>Count: time of the last match's last event (the pattern re-arms when the window has moved past it).</summary>
    internal bool HasMatched;
    internal long LastMatchedMs;
}

/// <summary>One remembered event (or, in a sequence, the first event of a partial match).</summary>
internal struct PatternEntry
{
    public bool Valid;
    public long TimeMs;
    public long Offset;
    public long SessionStartMs;
    public int Page;
    public int Product;
    public long RevenueMicros;

    /// <summary>Absence: how many <c>first</c> events the candidate covers.</summary>
    public int Count;

    public static PatternEntry From(in UserEvent e) => new()
    {
        Valid = true,
        TimeMs = e.TimeMs,
        Offset = e.Offset,
        SessionStartMs = e.SessionStartMs,
        Page = e.Page,
        Product = e.Product,
        RevenueMicros = e.RevenueMicros,
        Count = 1,
    };

    /// <summary>Whether this entry comes after <paramref name="other"/> in event order (time, then log offset).</summary>
    public readonly bool IsAfter(in PatternEntry other) => TimeMs > other.TimeMs || (TimeMs == other.TimeMs && Offset > other.Offset);
}
