using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Pulse.Hosting;
using Pulse.Log;
using Pulse.Processing.State;
using Pulse.Store;
using Pulse.Telemetry;

namespace Pulse.Processing;

/// <summary>
/// Periodically commits every partition's changes and log positions in one store transaction, then
/// evicts clean old buckets and applies log and store retention. This is what makes a restart
/// resume exactly where the committed state ends.
/// </summary>
public sealed partial class Checkpointer(
    IReadOnlyList<PartitionState> states,
    PartitionedLog log,
    ICheckpointStore store,
    DimensionDictionary dictionary,
    ReaderWriterLockSlim residency,
    PulseOptions options,
    TimeProvider clock,
    ILogger logger,
    int persistedDimensions)
{
    private readonly TimeSpan[] _resident = options.Processing.ResidentSpans();

    private readonly TimeSpan[] _retention =
    [
        options.Store.RetentionSeconds, options.Store.RetentionMinutes,
        options.Store.RetentionHours, options.Store.RetentionDays,
    ];

    private readonly Lock _runGate = new();
    private LowPriorityWorker? _writer;

    // Reused by every checkpoint: their lists and sketch buffers keep their capacity.
    private readonly CheckpointSnapshot[] _snapshots = CreateSnapshots(states);
    private readonly List<(int Id, byte[] Value)> _newDimensions = [];
    // The dictionary entries the store already has (those loaded at start): later ones are written
    // by the next checkpoint, whichever thread added them.
    private int _persistedDimensionId = persistedDimensions;
    private long _lastStoreRetentionMs;

    // Per partition: when its last full checkpoint committed (MinValue: none since start, so the
    // next one is full) and the offset it committed, below which the log is no longer needed.
    private readonly long[] _lastFullMs = CreateFilled(states.Count, long.MinValue);
    private readonly long[] _replayBase = new long[states.Count];
    private readonly long _rollupIntervalMs = (long)options.Processing.RollupCheckpointInterval.TotalMilliseconds;

    public long LastCheckpointMs { get; private set; } = clock.GetUtcNow().ToUnixTimeMilliseconds();
    public double LastDurationMs { get; private set; }

    /// <summary>Rows (cells and sketches) the last checkpoint wrote.</summary>
    public int LastRows { get; private set; }

    /// <summary>How long the last checkpoint held partition locks (the processor waits meanwhile).</summary>
    public double LastLockMs { get; private set; }
    public long Checkpoints { get; private set; }
    public long Failures { get; private set; }
    public string? LastError { get; private set; }

    /// <summary>Checkpoints every interval until cancelled, on a dedicated thread (SQLite calls block).</summary>
    /// <remarks>
    /// Partitions are committed one per tick (interval / partitions apart), so each partition is
    /// checkpointed once per interval while the work comes in small pieces instead of one burst that
    /// takes a core from the request path. A partition's rows and offset are its own, so one
    /// transaction per partition keeps exactly-once. Most of those checkpoints carry the 1-second
    /// buckets only; every <see cref="ProcessingOptions.RollupCheckpointInterval"/> one carries the
    /// minute, hour and day rollups too (see <see cref="ShouldBeFull"/>).
    /// </remarks>
    public void Run(CancellationToken cancellationToken)
    {
        TimeSpan tick = options.Processing.CheckpointInterval / Math.Max(1, states.Count);
        int next = 0;
        // The store writes yield the CPU to requests and processors (nice 10); the phases that
        // hold partition locks stay on this thread, at normal priority.
        using var writer = new LowPriorityWorker("pulse-checkpoint-writer", 10);
        _writer = writer;
        try
        {
            while (!cancellationToken.WaitHandle.WaitOne(tick))
            {
                RunOnce(next, ShouldBeFull(next, clock.GetUtcNow().ToUnixTimeMilliseconds()));
                next = (next + 1) % states.Count;
            }
        }
        finally
        {
            lock (_runGate)
            {
                _writer = null;
            }
        }
    }

    /// <summary>Store work: on the low-priority writer while <see cref="Run"/> runs, else (the final checkpoint at shutdown) here.</summary>
    private void OnStoreWriter(Action write)
    {
        if (_writer is { } writer)
        {
            writer.Invoke(write);
        }
        else
        {
            write();
        }
    }

    /// <summary>
    /// A rollup cell of an open minute, hour or day changes in nearly every second, and rewriting it
    /// each second was most of the store's write volume — whose flushes the log's group commit then
    /// waited behind. Committing rollups less often costs only a longer replay after a crash (from
    /// the last full checkpoint, skipping the seconds already stored).
    /// </summary>
    private bool ShouldBeFull(int partition, long nowMs) =>
        _lastFullMs[partition] == long.MinValue || nowMs - _lastFullMs[partition] >= _rollupIntervalMs;

    /// <summary>Checkpoints every partition, every resolution, in one transaction; called at shutdown after the processors stop.</summary>
    public bool RunOnce() => RunOnce(null, full: true);

    /// <summary>
    /// Checkpoints one partition (by index), or all when <paramref name="only"/> is null; with
    /// every resolution when <paramref name="full"/>, else the 1-second buckets only.
    /// </summary>
    public bool RunOnce(int? only, bool full = true)
    {
        lock (_runGate)
        {
            long started = Stopwatch.GetTimestamp();
            int first = only ?? 0;
            int count = only is null ? states.Count : 1;
            var snapshots = new ArraySegment<CheckpointSnapshot>(_snapshots, first, count);
            long lockTicks = 0;
            for (int i = first; i < first + count; i++)
            {
                _snapshots[i].Clear();
                long locking = Stopwatch.GetTimestamp();
                lock (states[i].Gate)
                {
                    // A stalled state is ahead of its position: its snapshot stays empty and keeps the
                    // partition's stored checkpoint where it is.
                    if (!states[i].Stalled)
                    {
                        states[i].TakeChanges(_snapshots[i], full || _lastFullMs[i] == long.MinValue);
                    }
                }

                lockTicks += Stopwatch.GetTimestamp() - locking;
            }

            _newDimensions.Clear();
            dictionary.CopyNewEntries(_persistedDimensionId, _newDimensions);
            long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            try
            {
                long writing = Stopwatch.GetTimestamp();
                OnStoreWriter(() => store.WriteCheckpoint(snapshots, _newDimensions, now));
                EngineInstruments.StoreWriteSeconds.Record(Stopwatch.GetElapsedTime(writing).TotalSeconds);
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or IOException)
            {
                for (int i = first; i < first + count; i++)
                {
                    lock (states[i].Gate)
                    {
                        states[i].RestoreChanges(_snapshots[i]);
                    }
                }

                Failures++;
                LastError = ex.Message;
                LogCheckpointFailed(logger, ex);
                return false;
            }

            foreach ((int id, _) in _newDimensions)
            {
                _persistedDimensionId = Math.Max(_persistedDimensionId, id);
            }

            for (int i = first; i < first + count; i++)
            {
                if (_snapshots[i].Taken && _snapshots[i].IncludesRollups)
                {
                    _lastFullMs[i] = now;
                    _replayBase[i] = _snapshots[i].Position.Offset;
                    if (_snapshots[i].Analytics is { } analytics)
                    {
                        lock (states[i].Gate)
                        {
                            states[i].Analytics?.CommitChanges(analytics);
                        }
                    }
                }
            }

            // Queries read memory and then the store below the residency boundary; eviction moves that
            // boundary, so it waits until no query is between the two reads.
            residency.EnterWriteLock();
            try
            {
                for (int i = first; i < first + count; i++)
                {
                    lock (states[i].Gate)
                    {
                        states[i].Evict(_resident);
                        states[i].Analytics?.Evict();
                        states[i].Metrics?.Evict();
                    }
                }
            }
            finally
            {
                residency.ExitWriteLock();
            }

            for (int i = first; i < first + count; i++)
            {
                log[states[i].Partition].ApplyRetention(_replayBase[i]);
            }

            if (now - _lastStoreRetentionMs > 60_000)
            {
                _lastStoreRetentionMs = now;
                OnStoreWriter(() =>
                {
                    var ownRetention = new List<string>();
                    foreach (Pulse.Analytics.Metrics.UserMetric metric in states[0].Metrics?.Metrics ?? [])
                    {
                        if (metric.RetentionMs > 0)
                        {
                            store.ApplyMetricRetention(metric.Name, now - metric.RetentionMs);
                            ownRetention.Add(metric.Name);
                        }
                    }

                    store.ApplyRetention(now, _retention, ownRetention);
                });
            }

            LastCheckpointMs = now;
            LastDurationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            int rows = 0;
            foreach (CheckpointSnapshot snapshot in snapshots)
            {
                rows += snapshot.Counts.Count + snapshot.Uniques.Count;
            }

            LastRows = rows;
            EngineInstruments.CheckpointSeconds.Record(LastDurationMs / 1000.0);
            EngineInstruments.CheckpointRows.Record(rows);
            LastLockMs = lockTicks * 1000.0 / Stopwatch.Frequency;
            LastError = null;
            Checkpoints++;
            return true;
        }
    }

    private static long[] CreateFilled(int length, long value)
    {
        long[] values = new long[length];
        Array.Fill(values, value);
        return values;
    }

    private static CheckpointSnapshot[] CreateSnapshots(IReadOnlyList<PartitionState> states)
    {
        var snapshots = new CheckpointSnapshot[states.Count];
        for (int i = 0; i < snapshots.Length; i++)
        {
            snapshots[i] = new CheckpointSnapshot(states[i].Partition);
        }

        return snapshots;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Checkpoint failed; its changes stay pending for the next one")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);
}
