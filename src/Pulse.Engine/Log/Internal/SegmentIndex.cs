namespace Pulse.Log.Internal;

/// <summary>
/// What is known about one segment without reading it: offset and time range, size, and sparse
/// entries every <c>interval</c> bytes so a lookup by offset or time reads at most one interval.
/// The flusher is the only writer; lookups from other threads take the lock only for the entries.
/// </summary>
internal sealed class SegmentIndex
{
    private readonly Lock _entriesLock = new();
    private readonly long _intervalBytes;
    private IndexEntry[] _entries = new IndexEntry[16];
    private int _entryCount;
    private long _nextEntryPosition;
    private long _firstOffset;
    private long _lastOffset;
    private long _minTimestamp = long.MaxValue;
    private long _maxTimestamp = long.MinValue;
    private long _recordCount;
    private long _length;

    public SegmentIndex(long baseOffset, long intervalBytes)
    {
        BaseOffset = baseOffset;
        _intervalBytes = Math.Max(1, intervalBytes);
        _firstOffset = baseOffset;
        _lastOffset = baseOffset - 1;
    }

    public long BaseOffset { get; }

    public long FirstOffset => Volatile.Read(ref _firstOffset);

    /// <summary><see cref="BaseOffset"/> − 1 while the segment holds no record.</summary>
    public long LastOffset => Volatile.Read(ref _lastOffset);

    public long MinTimestamp => Volatile.Read(ref _minTimestamp);

    public long MaxTimestamp => Volatile.Read(ref _maxTimestamp);

    public long RecordCount => Volatile.Read(ref _recordCount);

    /// <summary>Bytes of the segment file covered (for a sealed segment: the whole file, corrupt parts included).</summary>
    public long Length
    {
        get => Volatile.Read(ref _length);
        set => Volatile.Write(ref _length, value);
    }

    public int EntryCount
    {
        get
        {
            lock (_entriesLock)
            {
                return _entryCount;
            }
        }
    }

    public void Add(long offset, long position, long timestampMs)
    {
        if (_recordCount == 0)
        {
            Volatile.Write(ref _firstOffset, offset);
            Volatile.Write(ref _minTimestamp, timestampMs);
        }
        else if (timestampMs < _minTimestamp)
        {
            Volatile.Write(ref _minTimestamp, timestampMs);
        }

        if (timestampMs > _maxTimestamp)
        {
            Volatile.Write(ref _maxTimestamp, timestampMs);
        }

        Volatile.Write(ref _lastOffset, offset);
        Volatile.Write(ref _recordCount, _recordCount + 1);

        if (position >= _nextEntryPosition)
        {
            AddEntry(new IndexEntry(offset, position, timestampMs));
            _nextEntryPosition = position + _intervalBytes;
        }
    }

    /// <summary>Restores an index read from its file.</summary>
    public void Restore(long firstOffset, long lastOffset, long minTimestamp, long maxTimestamp, long recordCount, long length, ReadOnlySpan<IndexEntry> entries)
    {
        _firstOffset = firstOffset;
        _lastOffset = lastOffset;
        _minTimestamp = minTimestamp;
        _maxTimestamp = maxTimestamp;
        _recordCount = recordCount;
        _length = length;
        foreach (IndexEntry entry in entries)
        {
            AddEntry(entry);
            _nextEntryPosition = entry.Position + _intervalBytes;
        }
    }

    public void CopyEntriesTo(List<IndexEntry> destination)
    {
        lock (_entriesLock)
        {
            for (int i = 0; i < _entryCount; i++)
            {
                destination.Add(_entries[i]);
            }
        }
    }

    /// <summary>The last entry with an offset at or below <paramref name="offset"/> among those below <paramref name="offsetLimit"/>.</summary>
    public IndexEntry FloorByOffset(long offset, long offsetLimit)
    {
        IndexEntry found = new(BaseOffset, 0, long.MinValue);
        lock (_entriesLock)
        {
            int lo = 0;
            int hi = _entryCount - 1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >>> 1;
                IndexEntry e = _entries[mid];
                if (e.Offset <= offset && e.Offset < offsetLimit)
                {
                    found = e;
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }
        }

        return found;
    }

    /// <summary>
    /// The last entry appended before <paramref name="timestampMs"/> (among offsets below
    /// <paramref name="offsetLimit"/>): the first record at or after that time is at or after it.
    /// Relies on timestamps rising with offsets, which the log guarantees per partition.
    /// </summary>
    public IndexEntry FloorByTimestamp(long timestampMs, long offsetLimit)
    {
        IndexEntry found = new(BaseOffset, 0, long.MinValue);
        lock (_entriesLock)
        {
            int lo = 0;
            int hi = _entryCount - 1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >>> 1;
                IndexEntry e = _entries[mid];
                if (e.TimestampMs < timestampMs && e.Offset < offsetLimit)
                {
                    found = e;
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }
        }

        return found;
    }

    private void AddEntry(IndexEntry entry)
    {
        lock (_entriesLock)
        {
            if (_entryCount == _entries.Length)
            {
                Array.Resize(ref _entries, _entries.Length * 2);
            }

            _entries[_entryCount++] = entry;
        }
    }
}
