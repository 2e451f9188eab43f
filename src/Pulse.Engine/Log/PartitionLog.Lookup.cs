using Pulse.Log.Internal;

namespace Pulse.Log;

public sealed partial class PartitionLog
{
    /// <summary>A reader starting at <paramref name="from"/> (a position a reader or this log returned).</summary>
    public LogReader OpenReader(LogPosition from)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        LogPosition durable = DurableEnd;
        if (from.Offset > durable.Offset || from.BytePosition < 0)
        {
            return OpenReader(from.Offset);
        }

        Segment? segment = AcquireSegment(from.SegmentBaseOffset);
        if (segment is null)
        {
            // Deleted by retention meanwhile (or never existed): resolve the offset afresh.
            return OpenReader(from.Offset);
        }

        return new LogReader(this, segment, from.BytePosition, from.Offset - 1, skipBelow: from.Offset);
    }

    /// <summary>A reader whose first record is the one with <paramref name="offset"/> (or the next retained one).</summary>
    public LogReader OpenReader(long offset)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (true)
        {
            LogPosition position = ResolvePosition(offset);
            Segment? segment = AcquireSegment(position.SegmentBaseOffset);
            if (segment is not null)
            {
                return new LogReader(this, segment, position.BytePosition, position.Offset - 1, skipBelow: offset);
            }
        }
    }

    /// <summary>
    /// The position of the record with <paramref name="offset"/>, found through the sparse index
    /// and a scan of at most one index interval. Offsets before the start resolve to the start,
    /// offsets not yet durable to <see cref="DurableEnd"/>.
    /// </summary>
    public LogPosition ResolvePosition(long offset)
    {
        LogPosition durable = DurableEnd;
        if (offset >= durable.Offset)
        {
            return durable;
        }

        Segment? segment = AcquireSegmentContaining(offset);
        if (segment is null)
        {
            return durable;
        }

        try
        {
            if (offset <= segment.BaseOffset)
            {
                return new LogPosition(segment.BaseOffset, segment.BaseOffset, 0);
            }

            IndexEntry entry = segment.Index.FloorByOffset(offset, durable.Offset);
            return ScanForward(segment, entry, durable, static (record, target) => record.Offset >= target, offset);
        }
        finally
        {
            segment.Release();
        }
    }

    /// <summary>
    /// The position of the first record appended at or after <paramref name="timestampMs"/>
    /// (<see cref="DurableEnd"/> when none is durable yet). Arrival times rise with offsets, so the
    /// segment bounds and sparse entries narrow it to one index interval.
    /// </summary>
    public LogPosition FindPositionByTimestamp(long timestampMs)
    {
        LogPosition durable = DurableEnd;
        Segment? segment = AcquireFirstSegment(s => s.Index.RecordCount > 0 && s.Index.MaxTimestamp >= timestampMs && s.BaseOffset <= durable.SegmentBaseOffset);
        if (segment is null)
        {
            return durable;
        }

        try
        {
            IndexEntry entry = segment.Index.FloorByTimestamp(timestampMs, durable.Offset);
            return ScanForward(segment, entry, durable, static (record, target) => record.TimestampMs >= target, timestampMs);
        }
        finally
        {
            segment.Release();
        }
    }

    /// <summary>Bytes of <paramref name="segment"/> a reader may read: up to the durable end, or the whole of a sealed segment before it.</summary>
    internal static long ReadableLength(Segment segment, in LogPosition durable)
    {
        if (segment.BaseOffset == durable.SegmentBaseOffset)
        {
            return durable.BytePosition;
        }

        return segment.BaseOffset < durable.SegmentBaseOffset ? segment.Length : 0;
    }

    internal void CountCorruption(string segmentPath, long position, long skippedBytes)
    {
        Interlocked.Increment(ref _corruptionsSkipped);
        LogMessages.CorruptionSkipped(_logger, Partition, segmentPath, position, skippedBytes);
    }

    internal Segment? AcquireSegment(long baseOffset)
    {
        lock (_segmentsLock)
        {
            foreach (Segment segment in _segments)
            {
                if (segment.BaseOffset == baseOffset)
                {
                    return segment.TryAcquire() ? segment : null;
                }
            }
        }

        return null;
    }

    /// <summary>The first segment after the one at <paramref name="baseOffset"/>, skipping any retention removed meanwhile.</summary>
    internal Segment? AcquireNextSegment(long baseOffset)
    {
        lock (_segmentsLock)
        {
            foreach (Segment segment in _segments)
            {
                if (segment.BaseOffset > baseOffset && segment.TryAcquire())
                {
                    return segment;
                }
            }
        }

        return null;
    }

    private Segment? AcquireSegmentContaining(long offset)
    {
        lock (_segmentsLock)
        {
            Segment candidate = _segments[0];
            foreach (Segment segment in _segments)
            {
                if (segment.BaseOffset > offset)
                {
                    break;
                }

                candidate = segment;
            }

            return candidate.TryAcquire() ? candidate : null;
        }
    }

    private Segment? AcquireFirstSegment(Func<Segment, bool> predicate)
    {
        lock (_segmentsLock)
        {
            foreach (Segment segment in _segments)
            {
                if (predicate(segment))
                {
                    return segment.TryAcquire() ? segment : null;
                }
            }
        }

        return null;
    }

    /// <summary>Scans from an index entry to the first record matching <paramref name="isTarget"/>; past the segment's readable end, the next segment's start.</summary>
    private LogPosition ScanForward(Segment segment, IndexEntry entry, LogPosition durable, Func<ScannedRecord, long, bool> isTarget, long target)
    {
        long end = ReadableLength(segment, durable);
        using (SegmentScanner scanner = new(segment.Handle, entry.Position, end, entry.Offset - 1, requireConsecutive: false) { OffsetLimit = durable.Offset })
        {
            while (true)
            {
                ScanResult result = scanner.Next(out ScannedRecord record);
                if (result == ScanResult.Record)
                {
                    if (isTarget(record, target))
                    {
                        return new LogPosition(record.Offset, segment.BaseOffset, record.Position);
                    }

                    continue;
                }

                if (result == ScanResult.End || !scanner.Resync())
                {
                    break;
                }
            }
        }

        Segment? next = AcquireNextSegment(segment.BaseOffset);
        if (next is null)
        {
            return durable;
        }

        try
        {
            return next.BaseOffset <= durable.SegmentBaseOffset ? new LogPosition(next.BaseOffset, next.BaseOffset, 0) : durable;
        }
        finally
        {
            next.Release();
        }
    }
}
