using System.Data.Common;
using Microsoft.Extensions.Logging;
using Pulse.Events;
using Pulse.Hosting;
using Pulse.Log;
using Pulse.Telemetry;

namespace Pulse.Processing;

/// <summary>
/// The operator of one partition: reads the durable log from the state's position in batches and
/// applies them. Live processing and replay after a crash are the same loop over the same bytes.
/// </summary>
public sealed partial class PartitionProcessor(
    PartitionLog log, PartitionState state, ProcessingOptions options, TimeProvider clock, LatencyRecorder freshness, ILogger logger)
{
    private long _corrupt;
    private long _countedThrough = state.Position.Offset;
    private long _storeStalls;

    public PartitionState State => state;

    /// <summary>Events appended to the log but not yet applied.</summary>
    public long Lag => Math.Max(0, log.DurableEnd.Offset - Volatile.Read(ref _appliedOffset));

    public long CorruptRecords => Interlocked.Read(ref _corrupt);

    /// <summary>Times applying a batch had to wait for the store (see <see cref="ApplyBatch"/>).</summary>
    public long StoreStalls => Interlocked.Read(ref _storeStalls);

    /// <summary>
    /// How far behind processing is in time: the age of the last applied record's append while
    /// records wait, 0 when caught up. The next waiting record was appended after it, so this is
    /// an upper bound that is off by at most one batch.
    /// </summary>
    public long LagMs(long nowMs) => Lag == 0 ? 0 : Math.Max(0, nowMs - Volatile.Read(ref _appliedAppendMs));

    private static readonly TimeSpan IdleTick = TimeSpan.FromSeconds(1);

    private readonly long _startedMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
    private long _appliedOffset = state.Position.Offset;
    private long _appliedAppendMs = clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// The processor's loop, on a dedicated thread: blocking waits here never take a thread-pool
    /// thread from the request path. A batch is applied under the state's lock as a whole, so the
    /// state and its log position always agree when a checkpoint reads them.
    /// </summary>
    public void Run(CancellationToken cancellationToken)
    {
        using LogReader reader = log.OpenReader(state.Position);
        using var batch = new LogRecordBatch();
        while (!cancellationToken.IsCancellationRequested)
        {
            int n = reader.Read(batch, options.BatchSize);
            if (n == 0)
            {
                try
                {
                    if (!log.WaitForDurableAsync(reader.Position.Offset, cancellationToken).Wait(IdleTick, cancellationToken))
                    {
                        AdvanceIdle();
                    }
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                continue;
            }

            if (!ApplyBatch(batch, n, reader.Position, cancellationToken))
            {
                break;
            }

            Volatile.Write(ref _appliedAppendMs, batch.GetTimestamp(n - 1));
            Volatile.Write(ref _appliedOffset, reader.Position.Offset);
            // Freshness: the oldest record of the batch, from its durable append to visible in state.
            long fresh = Math.Max(0, clock.GetUtcNow().ToUnixTimeMilliseconds() - batch.GetTimestamp(0));
            freshness.Record(fresh);
            EngineInstruments.FreshnessSeconds.Record(fresh / 1000.0);
            EngineInstruments.ProcessorBatchEvents.Record(n);
        }
    }

    /// <summary>
    /// Applies the batch under the state's lock. A store read that fails (only a late event for an
    /// evicted bucket reads one) leaves its event unapplied: the processor marks the state stalled
    /// (no checkpoint may take it half-way), waits with growing pauses and resumes at that event, so
    /// processing waits out a store outage instead of dying or counting anything twice.
    /// </summary>
    private bool ApplyBatch(LogRecordBatch batch, int n, LogPosition end, CancellationToken cancellationToken)
    {
        int applied = 0;
        TimeSpan pause = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            lock (state.Gate)
            {
                try
                {
                    for (; applied < n; applied++)
                    {
                        ApplyRecord(batch, applied);
                    }

                    state.Position = end;
                    state.LastActivityMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
                    state.Stalled = false;
                    return true;
                }
                catch (DbException ex)
                {
                    state.Stalled = true;
                    Interlocked.Increment(ref _storeStalls);
                    LogStoreReadFailed(logger, ex, state.Partition, batch.GetOffset(applied), pause.TotalMilliseconds);
                }
            }

            if (cancellationToken.WaitHandle.WaitOne(pause))
            {
                return false;
            }

            pause = TimeSpan.FromMilliseconds(Math.Min(5000, pause.TotalMilliseconds * 2));
        }
    }

    /// <summary>
    /// A partition without new records still moves its analytics' event time on by the wall-clock
    /// time it has been quiet (after <see cref="ProcessingOptions.IdleTimeout"/>), so its sessions end
    /// and pattern deadlines pass without waiting for the next event.
    /// </summary>
    private void AdvanceIdle()
    {
        if (state.Analytics is not { } analytics)
        {
            return;
        }

        long quiet = clock.GetUtcNow().ToUnixTimeMilliseconds() - Math.Max(state.LastActivityMs, _startedMs);
        if (quiet < options.IdleTimeout.TotalMilliseconds)
        {
            return;
        }

        lock (state.Gate)
        {
            try
            {
                analytics.Advance(analytics.IdleWatermark(quiet));
            }
            catch (DbException ex)
            {
                // Every release step either completes or leaves nothing changed: the next tick retries.
                Interlocked.Increment(ref _storeStalls);
                LogStoreReadFailed(logger, ex, state.Partition, -1, IdleTick.TotalMilliseconds);
            }
        }
    }

    private void ApplyRecord(LogRecordBatch batch, int i)
    {
        try
        {
            var e = new EncodedEvent(batch.GetPayload(i));
            long offset = batch.GetOffset(i);
            // A retry after the analytics' store read failed must not count the record in the state again.
            if (offset >= _countedThrough)
            {
                state.Apply(e, offset);
                _countedThrough = offset + 1;
            }

            // Both guard against taking a record twice themselves (a retry after the store failed).
            state.Metrics?.Apply(e, offset);
            if (state.Analytics is { } analytics)
            {
                (int type, int page, int product, int country, int device) = state.LastDimensions;
                analytics.Apply(e, offset, type, page, product, country, device);
            }
        }
        catch (InvalidDataException ex)
        {
            // A record whose CRC matched but whose payload does not decode: never crash-loop on it.
            Interlocked.Increment(ref _corrupt);
            LogUndecodable(logger, state.Partition, batch.GetOffset(i), ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: the store failed while applying the record at offset {Offset}; retrying in {PauseMs} ms")]
    private static partial void LogStoreReadFailed(ILogger logger, Exception exception, int partition, long offset, double pauseMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Partition {Partition}: record at offset {Offset} does not decode and was skipped: {Reason}")]
    private static partial void LogUndecodable(ILogger logger, int partition, long offset, string reason);
}
