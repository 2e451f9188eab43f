using System.Numerics;

namespace Pulse.Ingest;

/// <summary>
/// One partition's memory of event-id hashes by arrival time; not thread-safe (the partition's
/// owner serialises calls). An open-addressing set answers "seen?" in O(1); a FIFO of the same
/// hashes, cut into time slots of horizon/30, expires them in arrival order, so a whole slot
/// leaves at once without scanning the set. An arrival time earlier than the newest slot (clock
/// steps back) is filed under the newest slot: it is remembered a little longer, never shorter.
/// Rebuilding after a crash is replaying the log's ids in arrival order into an empty window.
/// </summary>
public sealed class DedupeWindow
{
    private const int SlotsPerHorizon = 30;
    private const int InitialCapacity = 1024;
    private const double MaxLoad = 0.7;

    private readonly long _slotWidthMs;
    private readonly int _keepSlots;
    private readonly int _maxEntries;
    private readonly long[] _segmentSlots;
    private readonly int[] _segmentCounts;

    // The set: 0 marks an empty cell, so hash 0 lives in a flag of its own.
    private ulong[] _table;
    private int _tableShift;
    private int _tableCount;
    private bool _hasZero;

    // The FIFO of hashes in arrival order, and its run-length split into slots.
    private ulong[] _fifo;
    private int _fifoHead;
    private int _segmentHead;
    private int _segmentLength;

    private long _newestSlot = long.MinValue;
    private long _forcedThroughSlot = long.MinValue;

    public DedupeWindow(TimeSpan horizon, int maxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, TimeSpan.FromMilliseconds(1));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        Horizon = horizon;
        long horizonMs = horizon.Ticks / TimeSpan.TicksPerMillisecond;
        _slotWidthMs = Math.Max(1, horizonMs / SlotsPerHorizon);

        // Whole slots plus the partial newest one, so every id is kept for at least the horizon.
        _keepSlots = (int)((horizonMs + _slotWidthMs - 1) / _slotWidthMs) + 1;
        _maxEntries = maxEntries;
        _segmentSlots = new long[_keepSlots + 1];
        _segmentCounts = new int[_keepSlots + 1];
        int capacity = (int)Math.Min(InitialCapacity, BitOperations.RoundUpToPowerOf2((uint)maxEntries));
        _fifo = new ulong[capacity];
        _table = new ulong[TableSizeFor(capacity)];
        _tableShift = 64 - BitOperations.Log2((uint)_table.Length);
    }

    public TimeSpan Horizon { get; }

    /// <summary>
    /// Forgets an id added by <see cref="TryAdd"/> whose event then failed to become durable, so the
    /// client's retry is accepted instead of being taken for a duplicate. Its FIFO entry stays and
    /// expires harmlessly; if the retry re-adds the id, that first entry's expiry drops it early —
    /// a shorter memory for an id that already failed once, never a lost event.
    /// </summary>
    public void Forget(ulong eventIdHash)
    {
        if (Contains(eventIdHash))
        {
            Remove(eventIdHash);
        }
    }

    public int Count { get; private set; }

    /// <summary>
    /// How long an id is guaranteed to be remembered right now: the configured horizon, or less
    /// while entries forced out by the cap are younger than the horizon.
    /// </summary>
    public TimeSpan EffectiveHorizon
    {
        get
        {
            if (_forcedThroughSlot == long.MinValue || _forcedThroughSlot <= _newestSlot - _keepSlots)
            {
                return Horizon;
            }

            long guaranteedMs = Math.Max(0, (_newestSlot - _forcedThroughSlot - 1) * _slotWidthMs);
            TimeSpan guaranteed = TimeSpan.FromMilliseconds(guaranteedMs);
            return guaranteed < Horizon ? guaranteed : Horizon;
        }
    }

    /// <summary>Remembers <paramref name="eventIdHash"/>; false when it was already seen within the horizon (a duplicate).</summary>
    public bool TryAdd(ulong eventIdHash, long arrivalTimeMs)
    {
        long slot = Math.DivRem(arrivalTimeMs, _slotWidthMs, out long remainder);
        if (remainder < 0)
        {
            slot--;
        }

        if (slot > _newestSlot)
        {
            _newestSlot = slot;
            ExpireBefore(slot - _keepSlots + 1);
        }

        if (Contains(eventIdHash))
        {
            return false;
        }

        if (Count == _maxEntries)
        {
            _forcedThroughSlot = _segmentSlots[_segmentHead];
            RemoveOldest();
        }

        Insert(eventIdHash);
        Enqueue(eventIdHash);
        return true;
    }

    public void Clear()
    {
        Array.Clear(_table);
        _tableCount = 0;
        _hasZero = false;
        _fifoHead = 0;
        _segmentHead = 0;
        _segmentLength = 0;
        Count = 0;
        _newestSlot = long.MinValue;
        _forcedThroughSlot = long.MinValue;
    }

    private static int TableSizeFor(int entries) => (int)BitOperations.RoundUpToPowerOf2((uint)Math.Ceiling(Math.Max(entries, 2) / MaxLoad));

    private void ExpireBefore(long oldestKeptSlot)
    {
        while (_segmentLength > 0 && _segmentSlots[_segmentHead] < oldestKeptSlot)
        {
            for (int n = _segmentCounts[_segmentHead]; n > 0; n--)
            {
                RemoveOldest();
            }
        }
    }

    private void Enqueue(ulong hash)
    {
        if (Count == _fifo.Length)
        {
            GrowFifo();
        }

        _fifo[(_fifoHead + Count) & (_fifo.Length - 1)] = hash;
        Count++;
        int last = (_segmentHead + _segmentLength - 1) % _segmentSlots.Length;
        if (_segmentLength > 0 && _segmentSlots[last] == _newestSlot)
        {
            _segmentCounts[last]++;
        }
        else
        {
            int next = (_segmentHead + _segmentLength) % _segmentSlots.Length;
            _segmentSlots[next] = _newestSlot;
            _segmentCounts[next] = 1;
            _segmentLength++;
        }
    }

    private void RemoveOldest()
    {
        ulong hash = _fifo[_fifoHead];
        _fifoHead = (_fifoHead + 1) & (_fifo.Length - 1);
        Count--;
        if (--_segmentCounts[_segmentHead] == 0)
        {
            _segmentHead = (_segmentHead + 1) % _segmentSlots.Length;
            _segmentLength--;
        }

        Remove(hash);
    }

    private void GrowFifo()
    {
        var grown = new ulong[_fifo.Length * 2];
        int firstPart = Math.Min(Count, _fifo.Length - _fifoHead);
        Array.Copy(_fifo, _fifoHead, grown, 0, firstPart);
        Array.Copy(_fifo, 0, grown, firstPart, Count - firstPart);
        _fifo = grown;
        _fifoHead = 0;
    }

    private int Home(ulong hash) => (int)((hash * 0x9E3779B97F4A7C15UL) >> _tableShift);

    private bool Contains(ulong hash)
    {
        if (hash == 0)
        {
            return _hasZero;
        }

        int mask = _table.Length - 1;
        for (int i = Home(hash); ; i = (i + 1) & mask)
        {
            ulong cell = _table[i];
            if (cell == hash)
            {
                return true;
            }

            if (cell == 0)
            {
                return false;
            }
        }
    }

    private void Insert(ulong hash)
    {
        if (hash == 0)
        {
            _hasZero = true;
            return;
        }

        if (_tableCount + 1 > _table.Length * MaxLoad)
        {
            Rehash(_table.Length * 2);
        }

        InsertNew(_table, hash);
        _tableCount++;
    }

    private void InsertNew(ulong[] table, ulong hash)
    {
        int mask = table.Length - 1;
        int i = Home(hash);
        while (table[i] != 0)
        {
            i = (i + 1) & mask;
        }

        table[i] = hash;
    }

    private void Rehash(int size)
    {
        ulong[] old = _table;
        _table = new ulong[size];
        _tableShift = 64 - BitOperations.Log2((uint)size);
        foreach (ulong hash in old)
        {
            if (hash != 0)
            {
                InsertNew(_table, hash);
            }
        }
    }

    /// <summary>Linear-probing delete by backward shift: no tombstones, so probes stay short forever.</summary>
    private void Remove(ulong hash)
    {
        if (hash == 0)
        {
            _hasZero = false;
            return;
        }

        int mask = _table.Length - 1;
        int hole = Home(hash);
        while (_table[hole] != hash)
        {
            if (_table[hole] == 0)
            {
                return; // already forgotten (see Forget)
            }

            hole = (hole + 1) & mask;
        }

        int j = hole;
        while (true)
        {
            j = (j + 1) & mask;
            ulong cell = _table[j];
            if (cell == 0)
            {
                break;
            }

            // The cell may move back into the hole only if its home is not cyclically within (hole, j].
            int home = Home(cell);
            bool homeInRange = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!homeInRange)
            {
                _table[hole] = cell;
                hole = j;
            }
        }

        _table[hole] = 0;
        _tableCount--;
    }
}
