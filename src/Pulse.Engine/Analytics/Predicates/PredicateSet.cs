using System.Numerics;
using Pulse.Events;

namespace Pulse.Analytics.Predicates;

/// <summary>
/// The engine's compiled predicates (funnel steps, pattern conditions), at most 64, each owning one
/// bit of <see cref="UserEvent.Predicates"/>. Equal predicates (same <see cref="EventPredicate.Canonical"/>)
/// share a bit. Bits are only ever added, so a bit keeps its meaning for events already evaluated.
/// <see cref="Evaluate"/> tests all of them on one encoded event without allocating: candidates are
/// narrowed by the event's kind first, and the properties JSON is scanned once, only when a
/// candidate that passed its other conditions needs it.
/// </summary>
public sealed class PredicateSet
{
    public const int Capacity = 64;

    /// <summary>Distinct property names over all predicates; a scan fills one slot per name.</summary>
    public const int MaxPropertyNames = 64;

    private readonly List<EventPredicate> _predicates = [];
    private readonly Dictionary<string, int> _bits = new(StringComparer.Ordinal);
    private readonly List<byte[]> _propertyNames = [];

    /// <summary>Per predicate: its local property slot → the set's slot.</summary>
    private readonly List<int[]> _slotMaps = [];

    /// <summary>Indexed by <see cref="EventKind"/>: the predicates an event of that kind can satisfy.</summary>
    private readonly ulong[] _byKind = new ulong[256];
    private byte[][] _propertyNameArray = [];

    public int Count => _predicates.Count;

    public EventPredicate this[int bit] => _predicates[bit];

    /// <summary>The bit of an equal predicate already in the set, or -1.</summary>
    public int IndexOf(EventPredicate predicate) => IndexOf(predicate.Canonical);

    /// <summary>The bit of the predicate with this canonical form, or -1.</summary>
    public int IndexOf(string canonical) => _bits.TryGetValue(canonical, out int bit) ? bit : -1;

    /// <summary>A set with the same predicates at the same bits, to extend without disturbing readers of this one.</summary>
    public PredicateSet Copy()
    {
        var copy = new PredicateSet();
        foreach (EventPredicate predicate in _predicates)
        {
            copy.Add(predicate);
        }

        return copy;
    }

    /// <summary>How many of <paramref name="predicates"/> would take a new bit (so a definition can be checked before it is added).</summary>
    public int CountMissing(IEnumerable<EventPredicate> predicates)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (EventPredicate p in predicates)
        {
            if (!_bits.ContainsKey(p.Canonical))
            {
                seen.Add(p.Canonical);
            }
        }

        return seen.Count;
    }

    /// <summary>Adds a predicate, or finds its equal. False when the set is full (of bits or property names).</summary>
    public bool TryAdd(EventPredicate predicate, out int bit)
    {
        if (_bits.TryGetValue(predicate.Canonical, out bit))
        {
            return true;
        }

        int newNames = 0;
        foreach (byte[] name in predicate.PropertyNames)
        {
            if (FindName(name) < 0)
            {
                newNames++;
            }
        }

        if (_predicates.Count == Capacity || _propertyNames.Count + newNames > MaxPropertyNames)
        {
            bit = -1;
            return false;
        }

        bit = _predicates.Count;
        var map = new int[predicate.PropertyNames.Length];
        for (int i = 0; i < map.Length; i++)
        {
            int slot = FindName(predicate.PropertyNames[i]);
            if (slot < 0)
            {
                slot = _propertyNames.Count;
                _propertyNames.Add(predicate.PropertyNames[i]);
            }

            map[i] = slot;
        }

        _predicates.Add(predicate);
        _bits.Add(predicate.Canonical, bit);
        _slotMaps.Add(map);
        _propertyNameArray = [.. _propertyNames];
        for (int kind = 0; kind < _byKind.Length; kind++)
        {
            if (CanMatchKind(predicate, (EventKind)kind))
            {
                _byKind[kind] |= 1UL << bit;
            }
        }

        return true;
    }

    /// <summary>Adds a predicate or throws when the set is full; returns its bit.</summary>
    public int Add(EventPredicate predicate) => TryAdd(predicate, out int bit)
        ? bit
        : throw new InvalidOperationException($"The predicate set is full ({Capacity} predicates, {MaxPropertyNames} property names).");

    /// <summary>Bit i set when the event satisfies predicate i.</summary>
    public ulong Evaluate(in EncodedEvent e)
    {
        ulong candidates = _byKind[(byte)e.Header.Kind];
        if (candidates == 0)
        {
            return 0;
        }

        ulong result = 0;
        ulong needProperties = 0;
        while (candidates != 0)
        {
            int bit = BitOperations.TrailingZeroCount(candidates);
            candidates &= candidates - 1;
            EventPredicate p = _predicates[bit];
            if (!p.MatchesWithoutProperties(e))
            {
                continue;
            }

            if (p.Properties.Length == 0)
            {
                result |= 1UL << bit;
            }
            else
            {
                needProperties |= 1UL << bit;
            }
        }

        return needProperties == 0 ? result : result | EvaluateProperties(e[EventField.Properties], needProperties);
    }

    private ulong EvaluateProperties(ReadOnlySpan<byte> json, ulong candidates)
    {
        Span<PropertySlot> slots = stackalloc PropertySlot[MaxPropertyNames];
        slots = slots[.._propertyNameArray.Length];
        PropertyScanner.Scan(json, _propertyNameArray, slots);
        ulong result = 0;
        while (candidates != 0)
        {
            int bit = BitOperations.TrailingZeroCount(candidates);
            candidates &= candidates - 1;
            EventPredicate p = _predicates[bit];
            int[] map = _slotMaps[bit];
            bool all = true;
            foreach (PropertyCondition c in p.Properties)
            {
                if (!c.Matches(json, slots[map[c.LocalSlot]]))
                {
                    all = false;
                    break;
                }
            }

            if (all)
            {
                result |= 1UL << bit;
            }
        }

        return result;
    }

    private static bool CanMatchKind(EventPredicate p, EventKind kind)
    {
        if (p.Type is null)
        {
            return true;
        }

        return kind == EventKind.Custom ? p.Type.MatchesCustom : (int)kind < 16 && (p.Type.KnownKinds & (1 << (int)kind)) != 0;
    }

    private int FindName(byte[] name)
    {
        for (int i = 0; i < _propertyNames.Count; i++)
        {
            if (_propertyNames[i].AsSpan().SequenceEqual(name))
            {
                return i;
            }
        }

        return -1;
    }
}
