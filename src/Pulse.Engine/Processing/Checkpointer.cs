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
    SqliteStore store,
    DimensionDictionary dictionary,
    ReaderWriterLockSlim residency,
    PulseOptions options,
    TimeProvider clock,
    ILogger logger)
{
    private readonly TimeSpan[] _resident = options.Processing.ResidentSpans();

    private readonly TimeSpan[] _retention =
    [
        options.Store.RetentionSeconds, options.Store.RetentionMinutes,
        options.Store.RetentionHours, options.Store.RetentionDays,
    ];

    private readonly Lock _runGate = new();

    // Reused by every checkpoint: their lists and sketch buffers keep their capacity.
    private readonly CheckpointSnapshot[] _snapshots = CreateSnapshots(states);
    private readonly List<(int Id, byte[] Value)> _newDimensions = [];
    private int _persistedDimensionId = dictionary.Count;
    private long _lastStoreRetentionMs;

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
    /// transaction per partition keeps exactly-once.
    /// </remarks>
    public void Run(CancellationToken cancellationToken)
    {
        ThreadPriorities.LowerCurrent(10);
        TimeSpan tick = options.Processing.CheckpointInterval / Math.Max(1, states.Count);
        int next = 0;
        while (!cancellationToken.WaitHandle.WaitOne(tick))
        {
            RunOnce(next);
            next = (next + 1) % states.Count;
        }
    }

    /// <summary>Checkpoints every partition in one transaction; called at shutdown after the processors stop.</summary>
    public bool RunOnce() => RunOnce(null);

    /// <summary>Checkpoints one partition (by index), or all when <paramref name="only"/> is null.</summary>
    public bool RunOnce(int? only)
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
                    states[i].TakeChanges(_snapshots[i]);
                }

                lockTicks += Stopwatch.GetTimestamp() - locking;
            }

            _newDimensions.Clear();
            dictionary.CopyNewEntries(_persistedDimensionId, _newDimensions);
            long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            try
            {
                long writing = Stopwatch.GetTimestamp();
                store.WriteCheckpoint(snapshots, _newDimensions, now);
                EngineInstruments.StoreWriteSeconds.Record(Stopwatch.GetElapsedTime(writing).TotalSeconds);
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException)
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
                    }
                }
            }
            finally
            {
                residency.ExitWriteLock();
            }

            for (int i = first; i < first + count; i++)
            {
                log[states[i].Partition].ApplyRetention(_snapshots[i].Position.Offset);
            }

            if (now - _lastStoreRetentionMs > 60_000)
            {
                _lastStoreRetentionMs = now;
                store.ApplyRetention(now, _retention);
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
