using Pulse.Log.Internal;

namespace Pulse.Log;

/// <summary>
/// Reads one partition log forward from a position, crossing segments transparently and never
/// past <see cref="PartitionLog.DurableEnd"/>. Corrupt records in sealed segments are counted and
/// skipped, never thrown. Single-threaded: one reader per consumer.
/// </summary>
public sealed class LogReader : IDisposable
{
    private readonly PartitionLog _log;
    private readonly long _skipBelow;
    private Segment? _segment;
    private long _segmentBase;
    private long _bytePosition;
    private long _lastOffset;

    internal LogReader(PartitionLog log, Segment segment, long bytePosition, long lastOffset, long skipBelow)
    {
        _log = log;
        _segment = segment;
        _segmentBase = segment.BaseOffset;
        _bytePosition = bytePosition;
        _lastOffset = lastOffset;
        _skipBelow = skipBelow;
    }

    /// <summary>Where the next read starts; pass it to <see cref="PartitionLog.OpenReader(LogPosition)"/> to resume.</summary>
    public LogPosition Position => new(_lastOffset + 1, _segmentBase, _bytePosition);

    /// <summary>
    /// Reads up to <paramref name="maxRecords"/> durable records into <paramref name="batch"/>
    /// (replacing what it held). Returns 0 when caught up with the durable end.
    /// </summary>
    public int Read(LogRecordBatch batch, int maxRecords)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Clear();
        int bufferUsed = 0;
        while (batch.Count < maxRecords)
        {
            Segment segment = _segment ?? throw new ObjectDisposedException(nameof(LogReader));
            LogPosition durable = _log.DurableEnd;
            long readable = PartitionLog.ReadableLength(segment, durable);
            if (_bytePosition >= readable)
            {
                if (segment.BaseOffset < durable.SegmentBaseOffset && MoveToNextSegment(segment))
                {
                    continue;
                }

                break;
            }

            if (batch.BufferCapacity - bufferUsed < LogRecordFormat.HeaderSize)
            {
                break;
            }

            int wanted = (int)Math.Min(readable - _bytePosition, batch.BufferCapacity - bufferUsed);
            Span<byte> buffer = batch.Buffer.Slice(bufferUsed, wanted);
            int available = SegmentScanner.ReadFully(segment.Handle, buffer, _bytePosition);
            bool fileCutShort = available < wanted;
            bool reachesReadableEnd = _bytePosition + available == readable;
            bool corrupt = false;
            int growTo = 0;
            int parsed = 0;
            while (batch.Count < maxRecords)
            {
                int remaining = available - parsed;
                if (remaining < LogRecordFormat.HeaderSize)
                {
                    // Bytes that cannot hold a header where no more follow: a torn or cut-short record.
                    corrupt = remaining > 0 ? reachesReadableEnd || fileCutShort : fileCutShort;
                    break;
                }

                ReadOnlySpan<byte> header = buffer[parsed..];
                int payloadLength = LogRecordFormat.ReadPayloadLength(header);
                long recordEnd = parsed + (long)LogRecordFormat.HeaderSize + payloadLength;
                if (payloadLength < 0 || _bytePosition + recordEnd > readable)
                {
                    corrupt = true;
                    break;
                }

                if (recordEnd > available)
                {
                    corrupt = fileCutShort;
                    growTo = !fileCutShort && parsed == 0 ? (int)recordEnd : 0;
                    break;
                }

                ReadOnlySpan<byte> record = buffer[parsed..(int)recordEnd];
                long offset = LogRecordFormat.ReadOffset(record);
                if (offset <= _lastOffset || offset >= durable.Offset || !LogRecordFormat.HasValidCrc(record))
                {
                    corrupt = true;
                    break;
                }

                if (offset >= _skipBelow)
                {
                    batch.Add(offset, LogRecordFormat.ReadTimestamp(record), bufferUsed + parsed + LogRecordFormat.HeaderSize, payloadLength);
                }

                _lastOffset = offset;
                parsed = (int)recordEnd;
            }

            _bytePosition += parsed;
            bufferUsed += parsed;
            if (corrupt)
            {
                // The scanner reads through its own buffer, so the records already in the batch stay valid.
                SkipCorruption(segment, readable, durable.Offset);
            }
            else if (growTo > 0)
            {
                if (batch.Count > 0)
                {
                    break;
                }

                // Only skipped records occupy the buffer; a record larger than all of it needs a larger one.
                bufferUsed = 0;
                batch.GrowBuffer(growTo);
            }
            else if (parsed == 0)
            {
                break;
            }
        }

        return batch.Count;
    }

    public void Dispose()
    {
        Segment? segment = _segment;
        _segment = null;
        segment?.Release();
    }

    private void SkipCorruption(Segment segment, long readable, long offsetLimit)
    {
        long badPosition = _bytePosition;
        using SegmentScanner scanner = new(segment.Handle, _bytePosition, readable, _lastOffset, requireConsecutive: false) { OffsetLimit = offsetLimit };
        bool found = scanner.Resync();
        _bytePosition = scanner.Position;
        _log.CountCorruption(segment.LogPath, badPosition, _bytePosition - badPosition);
        // The offsets between the last good record and the next one are what the damage destroyed;
        // when none follows in this segment, up to its last (sealed) or the durable end (active).
        long nextOffset = found && scanner.Next(out ScannedRecord next) == ScanResult.Record
            ? next.Offset
            : segment.IsSealed ? segment.Index.LastOffset + 1 : offsetLimit;
        _log.RecordLost(_lastOffset + 1, nextOffset - 1);
    }

    private bool MoveToNextSegment(Segment current)
    {
        Segment? next = _log.AcquireNextSegment(current.BaseOffset);
        if (next is null)
        {
            return false;
        }

        current.Release();
        _segment = next;
        _segmentBase = next.BaseOffset;
        _bytePosition = 0;
        return true;
    }
}
