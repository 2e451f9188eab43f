using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Pulse.Hosting;
using Pulse.Log;
using Pulse.Processing.State;
using Pulse.Store;

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
    private readonly TimeSpan[] _resident =
    [
        options.Processing.ResidentSeconds, options.Processing.ResidentMinutes,
        options.Processing.ResidentHours, options.Processing.ResidentDays,
    ];

    private readonly TimeSpan[] _retention =
    [
        options.Store.RetentionSeconds, options.Store.RetentionMinutes,
        options.Store.RetentionHours, options.Store.RetentionDays,
    ];

    private readonly Lock _runGate = new();
    private readonly List<(int Id, byte[] Value)> _newDimensions = [];
    private int _persistedDimensionId = dictionary.Count;
    private long _lastStoreRetentionMs;

    public long LastCheckpointMs { get; private set; } = clock.GetUtcNow().ToUnixTimeMilliseconds();
    public double LastDurationMs { get; private set; }
    public long Checkpoints { get; private set; }
    public long Failures { get; private set; }
    public string? LastError { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Processing.CheckpointInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await Task.Run(RunOnce, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One checkpoint; also called at shutdown after the processors stop.</summary>
    public bool RunOnce()
    {
        lock (_runGate)
        {
            long started = Stopwatch.GetTimestamp();
            var snapshots = new CheckpointSnapshot[states.Count];
            for (int i = 0; i < states.Count; i++)
            {
                snapshots[i] = new CheckpointSnapshot(states[i].Partition);
                lock (states[i].Gate)
                {
                    states[i].TakeChanges(snapshots[i]);
                }
            }

            _newDimensions.Clear();
            dictionary.CopyNewEntries(_persistedDimensionId, _newDimensions);
            long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            try
            {
                store.WriteCheckpoint(snapshots, _newDimensions, now);
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException)
            {
                for (int i = 0; i < states.Count; i++)
                {
                    lock (states[i].Gate)
                    {
                        states[i].RestoreChanges(snapshots[i]);
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
                foreach (PartitionState state in states)
                {
                    lock (state.Gate)
                    {
                        state.Evict(_resident);
                    }
                }
            }
            finally
            {
                residency.ExitWriteLock();
            }

            for (int i = 0; i < states.Count; i++)
            {
                log[states[i].Partition].ApplyRetention(snapshots[i].Position.Offset);
            }

            if (now - _lastStoreRetentionMs > 60_000)
            {
                _lastStoreRetentionMs = now;
                store.ApplyRetention(now, _retention);
            }

            LastCheckpointMs = now;
            LastDurationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            LastError = null;
            Checkpoints++;
            return true;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Checkpoint failed; its changes stay pending for the next one")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);
}
