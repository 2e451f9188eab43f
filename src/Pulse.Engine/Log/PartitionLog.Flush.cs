using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Pulse.Log.Internal;
using Pulse.Telemetry;

namespace Pulse.Log;

public sealed partial class PartitionLog
{
    private readonly Thread _flusher;
    private readonly ManualResetEventSlim _flushWanted = new(false, spinCount: 0);
    private readonly TaskCompletionSource _flusherExited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Serialises the flusher's writes with <see cref="TryRecover"/>.</summary>
    private readonly Lock _writeLock = new();

    /// <summary>
    /// Test hook, called with the length of each file write: an exception returned makes the write
    /// stop halfway and fail with it, as a full disk does.
    /// </summary>
    internal Func<int, Exception?>? InjectWriteFault { get; set; }

    /// <summary>Test hook: called after a cycle's write and fsync, before its records become durable to readers and appenders.</summary>
    internal Action? BeforeDurable { get; set; }

    /// <summary>Test hook: called before the log cuts a failed write back; may throw to simulate a disk that refuses that too.</summary>
    internal Action? BeforeRollback { get; set; }

    /// <summary>
    /// Retries cutting the log back to its durable end after a failed rollback. True when the log
    /// takes appends again.
    /// </summary>
    public bool TryRecover()
    {
        if (_unavailable is null)
        {
            return true;
        }

        lock (_writeLock)
        {
            return TryRollback();
        }
    }

    private void FlushLoop()
    {
        try
        {
            while (true)
            {
                PendingBuffer? batch = null;
                bool closing;
                lock (_appendLock)
                {
                    closing = _closed;
                    if (_filling.Length > 0)
                    {
                        batch = _filling;
                        _filling = _spare!;
                        _spare = null;
                    }
                    else if (!closing)
                    {
                        // Reset under the lock: an append after this sees no cycle and sets the event again.
                        _flushWanted.Reset();
                    }
                }

                if (batch is null)
                {
                    if (closing)
                    {
                        break;
                    }

                    _flushWanted.Wait();
                    continue;
                }

                lock (_writeLock)
                {
                    FlushCycle(batch);
                }

                TaskCompletionSource<bool>? room;
                lock (_appendLock)
                {
                    _pendingBytes -= batch.Length;
                    batch.Reset();
                    _spare = batch;
                    room = _roomSignal;
                    _roomSignal = null;
                }

                room?.TrySetResult(true);
            }
        }
        finally
        {
            _flusherExited.TrySetResult();
        }
    }

    private void FlushCycle(PendingBuffer batch)
    {
        TaskCompletionSource cycle = batch.Cycle!;
        long started = Stopwatch.GetTimestamp();
        try
        {
            WriteRecords(batch.Written, batch.FirstOffset);
            Fsync(_active);
            EngineInstruments.LogWriteSeconds.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            EngineInstruments.LogFlushBytes.Record(batch.Length);
            BeforeDurable?.Invoke();
            PublishDurableEnd(new LogPosition(batch.FirstOffset + batch.RecordCount, _active.BaseOffset, _active.Length));
            // A write that succeeds after a failure (space freed, the device back) ends that failure.
            if (Interlocked.Read(ref _lastWriteFailureMs) != 0)
            {
                Interlocked.Exchange(ref _lastWriteFailureMs, 0);
            }

            Interlocked.Add(ref _appendedRecords, batch.RecordCount);
            cycle.TrySetResult();
        }
        catch (Exception ex)
        {
            HandleWriteFailure(batch, ex);
        }
    }

    /// <summary>Writes framed records to the active segment, rolling to a new segment at record boundaries.</summary>
    private void WriteRecords(ReadOnlySpan<byte> records, long firstOffset)
    {
        int pos = 0;
        long offset = firstOffset;
        while (pos < records.Length)
        {
            Segment segment = _active;
            SegmentIndex index = segment.Index;
            long segmentLength = index.Length;
            int chunkStart = pos;
            while (pos < records.Length)
            {
                ReadOnlySpan<byte> header = records[pos..];
                int recordBytes = LogRecordFormat.HeaderSize + LogRecordFormat.ReadPayloadLength(header);
                if (segmentLength > 0 && segmentLength + recordBytes > _options.SegmentBytes)
                {
                    break;
                }

                index.Add(offset, segmentLength, LogRecordFormat.ReadTimestamp(header));
                segmentLength += recordBytes;
                pos += recordBytes;
                offset++;
            }

            if (pos > chunkStart)
            {
                WriteChunk(segment, records[chunkStart..pos], index.Length);
                index.Length = segmentLength;
                Interlocked.Add(ref _totalBytes, pos - chunkStart);
            }

            if (pos < records.Length)
            {
                Roll(offset);
            }
        }
    }

    private void WriteChunk(Segment segment, ReadOnlySpan<byte> bytes, long fileOffset)
    {
        if (InjectWriteFault?.Invoke(bytes.Length) is { } fault)
        {
            RandomAccess.Write(segment.Handle, bytes[..(bytes.Length / 2)], fileOffset);
            throw fault;
        }

        RandomAccess.Write(segment.Handle, bytes, fileOffset);
    }

    private void Fsync(Segment segment)
    {
        if (!_options.Fsync)
        {
            return;
        }

        long start = Stopwatch.GetTimestamp();
        FileSync.Data(segment.Handle);
        TimeSpan took = Stopwatch.GetElapsedTime(start);
        Interlocked.Exchange(ref _lastFsyncTicks, took.Ticks);
        EngineInstruments.LogFsyncSeconds.Record(took.TotalSeconds);
        Interlocked.Increment(ref _fsyncs);
    }

    /// <summary>
    /// Seals the active segment and starts the next. The old one is fsynced before the new file
    /// exists, so after a crash only the last segment can have a torn tail.
    /// </summary>
    private void Roll(long nextOffset)
    {
        Segment old = _active;
        Fsync(old);
        SegmentIndexFile.Write(old.IndexPath, old.Index);
        old.MarkSealed();

        string path = SegmentFileNames.LogPath(_directory, nextOffset);
        Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        Segment created = new(_directory, nextOffset, handle, new SegmentIndex(nextOffset, _indexIntervalBytes), isSealed: false);
        // The new file's name must be durable before records in it are acknowledged.
        FileSync.Directory(_directory);
        lock (_segmentsLock)
        {
            _segments.Add(created);
            _active = created;
        }
    }

    /// <summary>
    /// A failed write or fsync: reject this cycle's appends and those already queued behind it
    /// (their offsets follow records that will not exist), then cut the files back to the durable
    /// end so the log stays a gap-free sequence and appends continue from there.
    /// </summary>
    private void HandleWriteFailure(PendingBuffer batch, Exception error)
    {
        Interlocked.Increment(ref _writeErrors);
        Interlocked.Exchange(ref _lastWriteFailureMs, NowMs());
        _lastError = error;
        LogMessages.WriteFailed(_logger, Partition, error);

        TaskCompletionSource? queuedCycle;
        lock (_appendLock)
        {
            _unavailable = error;
            queuedCycle = _filling.Cycle;
            _pendingBytes -= _filling.Length;
            _filling.Reset();
            _nextOffset = DurableEnd.Offset;
        }

        // Rejected appenders hear of it only once the log is usable again, so an immediate retry can succeed.
        TryRollback();
        batch.Cycle!.TrySetException(error);
        queuedCycle?.TrySetException(error);
    }

    /// <summary>Cuts the segments back to <see cref="DurableEnd"/>; on success the log takes appends again.</summary>
    private bool TryRollback()
    {
        try
        {
            BeforeRollback?.Invoke();
            LogPosition durable = DurableEnd;
            Segment keep;
            List<Segment> removed = [];
            lock (_segmentsLock)
            {
                for (int i = _segments.Count - 1; i >= 0 && _segments[i].BaseOffset > durable.SegmentBaseOffset; i--)
                {
                    removed.Add(_segments[i]);
                    _segments.RemoveAt(i);
                }

                keep = _segments[^1];
            }

            foreach (Segment segment in removed)
            {
                segment.DeleteFiles();
                segment.Release();
            }

            RandomAccess.SetLength(keep.Handle, durable.BytePosition);
            Fsync(keep);
            File.Delete(keep.IndexPath);
            keep.Index = ScanActiveSegment(keep, durable.BytePosition);
            keep.MarkActive();
            lock (_segmentsLock)
            {
                _active = keep;
            }

            RecomputeTotalBytes();
            lock (_appendLock)
            {
                _unavailable = null;
            }

            LogMessages.Healthy(_logger, Partition);
            return true;
        }
        catch (Exception ex)
        {
            _lastError = ex;
            LogMessages.RollbackFailed(_logger, Partition, ex);
            return false;
        }
    }
}
