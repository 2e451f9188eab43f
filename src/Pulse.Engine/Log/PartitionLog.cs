using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Pulse.Hosting;
using Pulse.Log.Internal;

namespace Pulse.Log;

/// <summary>
/// The durable, append-only log of one partition: segment files of framed records, written by
/// one flusher thread that batches every append since its last fsync into one write and one
/// fsync (group commit). Appenders never do I/O; readers read only what is fsynced.
/// </summary>
public sealed partial class PartitionLog : IAsyncDisposable
{
    private readonly string _directory;
    private readonly LogOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly long _indexIntervalBytes;

    private readonly Lock _segmentsLock = new();
    private readonly List<Segment> _segments = [];
    private Segment _active = null!;

    private StrongBox<LogPosition> _durableEnd = new(default);
    private readonly Lock _durableSignalLock = new();
    private TaskCompletionSource? _durableSignal;
    private volatile bool _disposed;
    private int _disposeDone;

    private long _totalBytes;
    private long _appendedRecords;
    private long _fsyncs;
    private long _lastFsyncTicks;
    private long _recoveryTruncations;
    private long _recoveryTruncatedBytes;
    private long _corruptionsSkipped;
    private long _writeErrors;
    private long _lastWriteFailureMs;
    private volatile Exception? _lastError;

    private PartitionLog(string directory, int partition, LogOptions options, TimeProvider clock, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SegmentBytes, LogRecordFormat.HeaderSize + 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPendingBytes, 1);
        _directory = directory;
        Partition = partition;
        _options = options;
        _clock = clock;
        _logger = logger;
        _indexIntervalBytes = Math.Clamp(options.SegmentBytes / 32, 1024, 1024 * 1024);
        _filling = new PendingBuffer();
        _spare = new PendingBuffer();
        _flusher = new Thread(FlushLoop) { IsBackground = true, Name = $"pulse-log-{partition}" };
    }

    /// <summary>
    /// Opens (creating if needed) the log of one partition in <paramref name="directory"/> — the
    /// partition's own directory — recovering from whatever a crash left, and starts its flusher.
    /// </summary>
    public static PartitionLog Open(string directory, int partition, LogOptions options, TimeProvider clock, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        PartitionLog log = new(directory, partition, options, clock, logger);
        try
        {
            log.Recover();
        }
        catch
        {
            log.ReleaseSegments();
            throw;
        }

        log._flusher.Start();
        return log;
    }

    public int Partition { get; }

    public string Directory => _directory;

    /// <summary>The offset the next append gets.</summary>
    public long NextOffset
    {
        get
        {
            lock (_appendLock)
            {
                return _nextOffset;
            }
        }
    }

    /// <summary>Everything before this position is fsynced and visible to readers.</summary>
    public LogPosition DurableEnd => Volatile.Read(ref _durableEnd).Value;

    /// <summary>The first retained record.</summary>
    public LogPosition StartPosition
    {
        get
        {
            lock (_segmentsLock)
            {
                Segment first = _segments[0];
                SegmentIndex index = first.Index;
                long offset = index.RecordCount > 0 ? index.FirstOffset : first.BaseOffset;
                return new LogPosition(offset, first.BaseOffset, 0);
            }
        }
    }

    /// <summary>False after a write failure that could not be undone; appends then throw <see cref="LogUnavailableException"/>.</summary>
    public bool IsHealthy => _unavailable is null;

    /// <summary>The last write, fsync or rollback error, also after the log recovered from it.</summary>
    public Exception? LastError => _lastError;

    /// <summary>When (Unix ms, the log's clock) a write or fsync last failed; 0 when none has, or a write succeeded after it.</summary>
    public long LastWriteFailureMs => Interlocked.Read(ref _lastWriteFailureMs);

    public LogStats Stats
    {
        get
        {
            int segments;
            lock (_segmentsLock)
            {
                segments = _segments.Count;
            }

            return new LogStats(
                Bytes: Interlocked.Read(ref _totalBytes),
                Segments: segments,
                PendingBytes: Volatile.Read(ref _pendingBytes),
                AppendedRecords: Interlocked.Read(ref _appendedRecords),
                Fsyncs: Interlocked.Read(ref _fsyncs),
                LastFsyncDuration: TimeSpan.FromTicks(Interlocked.Read(ref _lastFsyncTicks)),
                RecoveryTruncations: Interlocked.Read(ref _recoveryTruncations),
                RecoveryTruncatedBytes: Interlocked.Read(ref _recoveryTruncatedBytes),
                CorruptionsSkipped: Interlocked.Read(ref _corruptionsSkipped),
                WriteErrors: Interlocked.Read(ref _writeErrors),
                RecordsLost: Interlocked.Read(ref _recordsLost));
        }
    }

    /// <summary>Completes when the record with <paramref name="offset"/> is durable (DurableEnd.Offset &gt; offset).</summary>
    public Task WaitForDurableAsync(long offset, CancellationToken ct)
    {
        if (DurableEnd.Offset > offset)
        {
            return Task.CompletedTask;
        }

        return WaitForDurableSlowAsync(offset, ct);
    }

    /// <summary>Flushes and fsyncs everything pending, completes every outstanding append, closes the files.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_appendLock)
        {
            _closed = true;
        }

        _flushWanted.Set();
        await _flusherExited.Task.ConfigureAwait(false);
        if (Interlocked.Exchange(ref _disposeDone, 1) != 0)
        {
            return;
        }

        _disposed = true;
        CompleteDurableWaiters();
        TaskCompletionSource<bool>? room;
        lock (_appendLock)
        {
            room = _roomSignal;
            _roomSignal = null;
        }

        room?.TrySetResult(false);
        ReleaseSegments();
        _filling.ReturnToPool();
        _spare?.ReturnToPool();
    }

    private async Task WaitForDurableSlowAsync(long offset, CancellationToken ct)
    {
        while (true)
        {
            Task signal;
            lock (_durableSignalLock)
            {
                if (DurableEnd.Offset > offset)
                {
                    return;
                }

                ObjectDisposedException.ThrowIf(_disposed, this);
                _durableSignal ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                signal = _durableSignal.Task;
            }

            await signal.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    private void PublishDurableEnd(LogPosition position)
    {
        Volatile.Write(ref _durableEnd, new StrongBox<LogPosition>(position));
        CompleteDurableWaiters();
    }

    private void CompleteDurableWaiters()
    {
        TaskCompletionSource? signal;
        lock (_durableSignalLock)
        {
            signal = _durableSignal;
            _durableSignal = null;
        }

        signal?.TrySetResult();
    }

    private void ReleaseSegments()
    {
        lock (_segmentsLock)
        {
            foreach (Segment segment in _segments)
            {
                segment.Release();
            }

            _segments.Clear();
        }
    }

    private long RecomputeTotalBytes()
    {
        long total = 0;
        lock (_segmentsLock)
        {
            foreach (Segment segment in _segments)
            {
                total += segment.Length;
            }
        }

        Interlocked.Exchange(ref _totalBytes, total);
        return total;
    }

    private long NowMs() => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    private static long ElapsedMs(long startTimestamp) => (long)Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
}
