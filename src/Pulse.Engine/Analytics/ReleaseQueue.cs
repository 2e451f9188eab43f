using System.Numerics;

namespace Pulse.Analytics;

/// <summary>
/// Items waiting for the watermark, released in (time, offset) order. A timing wheel of
/// one-millisecond slots covers the window in which events arrive (about the allowed lateness
/// ahead of the watermark); a slot's items share one time and are kept in offset order, which is
/// arrival order because offsets only grow, so enqueue and release are O(1) however disordered
/// event times are within the window. Only items outside it (before the first queued slot once
/// the window has moved on, or further ahead than the wheel reaches) go to a heap, and the two are
/// merged at the front.
/// </summary>
internal sealed class ReleaseQueue<T>
{
    private const int None = -1;

    private readonly PriorityQueue<T, (long Time, long Offset)> _outside = new();

    // Entries live in parallel arrays chained per slot (Next), with a free list: no allocation per item.
    private T[] _items = new T[1024];
    private long[] _times = new long[1024];
    private long[] _offsets = new long[1024];
    private int[] _next = new int[1024];
    private int _free = None;
    private int _used;

    private readonly int[] _slotHead;
    private readonly int[] _slotTail;
    private readonly int _slotMask;
    private int _wheelCount;

    // While the wheel holds anything: the time of its first non-empty slot and of its newest item.
    private long _first;
    private long _last;

    /// <param name="windowMs">How far apart in time the wheel's items may be; rounded up to a power of two.</param>
    public ReleaseQueue(int windowMs = 16_384)
    {
        int slots = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(windowMs, 64, 1 << 20));
        _slotMask = slots - 1;
        _slotHead = new int[slots];
        _slotTail = new int[slots];
        Array.Fill(_slotHead, None);
        Array.Fill(_slotTail, None);
    }

    public int Count => _wheelCount + _outside.Count;

    /// <summary>Items the heap holds rather than the wheel (for tests and sizing).</summary>
    public int OutsideWheel => _outside.Count;

    /// <param name="offset">The item's log offset: offsets only grow, so among equal times arrival order is offset order.</param>
    public void Enqueue(T item, long time, long offset)
    {
        if (_wheelCount == 0)
        {
            _first = _last = time;
        }
        else if (time < _first)
        {
            // Slots before the first non-empty one are empty, so the wheel can start earlier if its span allows.
            if (_last - time > _slotMask)
            {
                _outside.Enqueue(item, (time, offset));
                return;
            }

            _first = time;
        }
        else if (time - _first > _slotMask)
        {
            _outside.Enqueue(item, (time, offset));
            return;
        }

        _last = Math.Max(_last, time);
        AddToSlot(item, time, offset);
    }

    public bool TryPeek(out T item, out (long Time, long Offset) at)
    {
        if (WheelFirst())
        {
            int entry = _slotHead[(int)(_first & _slotMask)];
            item = _items[entry];
            at = (_times[entry], _offsets[entry]);
            return true;
        }

        return _outside.TryPeek(out item!, out at);
    }

    /// <summary>Removes the item <see cref="TryPeek"/> returned.</summary>
    public void Dequeue()
    {
        if (!WheelFirst())
        {
            _outside.Dequeue();
            return;
        }

        int slot = (int)(_first & _slotMask);
        int entry = _slotHead[slot];
        _slotHead[slot] = _next[entry];
        if (_slotHead[slot] == None)
        {
            _slotTail[slot] = None;
        }

        Release(entry);
        if (--_wheelCount > 0 && _slotHead[slot] == None)
        {
            // The next item is at most _last: the scan is bounded, and paid once per millisecond passed.
            do
            {
                _first++;
            }
            while (_slotHead[(int)(_first & _slotMask)] == None);
        }
    }

    /// <summary>Queues an item in the heap whatever its time (restored stragglers: see <see cref="OutsideItems"/>).</summary>
    public void EnqueueOutside(T item, long time, long offset) => _outside.Enqueue(item, (time, offset));

    /// <summary>The items the heap holds, in no particular order: the few stragglers a checkpoint lists one by one.</summary>
    public IEnumerable<T> OutsideItems()
    {
        foreach ((T item, _) in _outside.UnorderedItems)
        {
            yield return item;
        }
    }

    /// <summary>The smallest offset of the wheel's items (null when it is empty): a linear scan of one array.</summary>
    public long? MinWheelOffset()
    {
        if (_wheelCount == 0)
        {
            return null;
        }

        // Free entries hold long.MaxValue, so the scan needs no test of which entries are live.
        long min = long.MaxValue;
        foreach (long offset in _offsets.AsSpan(0, _used))
        {
            min = Math.Min(min, offset);
        }

        return min;
    }

    /// <summary>Every item, in no particular order (checkpoints list only <see cref="OutsideItems"/>).</summary>
    public IEnumerable<T> Items()
    {
        if (_wheelCount > 0)
        {
            for (long time = _first; time <= _last; time++)
            {
                for (int entry = _slotHead[(int)(time & _slotMask)]; entry != None; entry = _next[entry])
                {
                    yield return _items[entry];
                }
            }
        }

        foreach ((T item, _) in _outside.UnorderedItems)
        {
            yield return item;
        }
    }

    private bool WheelFirst()
    {
        if (_wheelCount == 0)
        {
            return false;
        }

        if (!_outside.TryPeek(out _, out (long Time, long Offset) outside))
        {
            return true;
        }

        return _first < outside.Time || (_first == outside.Time && _offsets[_slotHead[(int)(_first & _slotMask)]] < outside.Offset);
    }

    private void AddToSlot(T item, long time, long offset)
    {
        int entry = Allocate();
        _items[entry] = item;
        _times[entry] = time;
        _offsets[entry] = offset;
        _next[entry] = None;
        _wheelCount++;

        int slot = (int)(time & _slotMask);
        int tail = _slotTail[slot];
        if (tail == None)
        {
            _slotHead[slot] = _slotTail[slot] = entry;
        }
        else if (_offsets[tail] < offset)
        {
            _next[tail] = entry;
            _slotTail[slot] = entry;
        }
        else
        {
            InsertInOffsetOrder(slot, entry, offset);
        }
    }

    /// <summary>Only a restore re-enqueues out of offset order (a checkpoint lists items unordered).</summary>
    private void InsertInOffsetOrder(int slot, int entry, long offset)
    {
        int previous = None;
        int current = _slotHead[slot];
        while (current != None && _offsets[current] < offset)
        {
            previous = current;
            current = _next[current];
        }

        _next[entry] = current;
        if (previous == None)
        {
            _slotHead[slot] = entry;
        }
        else
        {
            _next[previous] = entry;
        }
    }

    private int Allocate()
    {
        if (_free != None)
        {
            int reused = _free;
            _free = _next[reused];
            return reused;
        }

        if (_used == _items.Length)
        {
            int size = _items.Length * 2;
            Array.Resize(ref _items, size);
            Array.Resize(ref _times, size);
            Array.Resize(ref _offsets, size);
            Array.Resize(ref _next, size);
        }

        return _used++;
    }

    private void Release(int entry)
    {
        _items[entry] = default!;
        _offsets[entry] = long.MaxValue;
        _next[entry] = _free;
        _free = entry;
    }
}
