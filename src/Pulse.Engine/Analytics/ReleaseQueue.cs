namespace Pulse.Analytics;

/// <summary>
/// Items waiting for the watermark, released in (time, offset) order. Most events arrive in event
/// time order, so an item not older than the newest queued one goes to the back of a ring (O(1) in
/// and out, no sifting of large entries); only stragglers go to a heap, and the two are merged at the front.
/// </summary>
internal sealed class ReleaseQueue<T>
{
    private readonly PriorityQueue<T, (long Time, long Offset)> _stragglers = new();
    private T[] _items = new T[1024];
    private long[] _times = new long[1024];
    private long[] _offsets = new long[1024];
    private int _head;
    private int _count;
    private long _lastTime = long.MinValue;

    public int Count => _count + _stragglers.Count;

    /// <param name="offset">The item's log offset: offsets only grow, so among equal times arrival order is offset order.</param>
    public void Enqueue(T item, long time, long offset)
    {
        if (time < _lastTime)
        {
            _stragglers.Enqueue(item, (time, offset));
            return;
        }

        if (_count == _items.Length)
        {
            Grow();
        }

        int tail = (_head + _count) & (_items.Length - 1);
        _items[tail] = item;
        _times[tail] = time;
        _offsets[tail] = offset;
        _count++;
        _lastTime = time;
    }

    public bool TryPeek(out T item, out (long Time, long Offset) at)
    {
        if (RingFirst())
        {
            item = _items[_head];
            at = (_times[_head], _offsets[_head]);
            return true;
        }

        return _stragglers.TryPeek(out item!, out at);
    }

    /// <summary>Removes the item <see cref="TryPeek"/> returned.</summary>
    public void Dequeue()
    {
        if (RingFirst())
        {
            _items[_head] = default!;
            _head = (_head + 1) & (_items.Length - 1);
            _count--;
            return;
        }

        _stragglers.Dequeue();
    }

    /// <summary>Every item, in no particular order (for checkpoints).</summary>
    public IEnumerable<T> Items()
    {
        for (int i = 0; i < _count; i++)
        {
            yield return _items[(_head + i) & (_items.Length - 1)];
        }

        foreach ((T item, _) in _stragglers.UnorderedItems)
        {
            yield return item;
        }
    }

    private bool RingFirst()
    {
        if (_count == 0)
        {
            return false;
        }

        if (!_stragglers.TryPeek(out _, out (long Time, long Offset) straggler))
        {
            return true;
        }

        long time = _times[_head];
        return time < straggler.Time || (time == straggler.Time && _offsets[_head] < straggler.Offset);
    }

    private void Grow()
    {
        int size = _items.Length * 2;
        var items = new T[size];
        long[] times = new long[size];
        long[] offsets = new long[size];
        for (int i = 0; i < _count; i++)
        {
            int from = (_head + i) & (_items.Length - 1);
            items[i] = _items[from];
            times[i] = _times[from];
            offsets[i] = _offsets[from];
        }

        _items = items;
        _times = times;
        _offsets = offsets;
        _head = 0;
    }
}
