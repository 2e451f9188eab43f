using Microsoft.Extensions.Logging;
using Pulse.Events;
using Pulse.Hosting;
using Pulse.Log;

namespace Pulse.Processing;

/// <summary>
/// The operator of one partition: reads the durable log from the state's position in batches and
/// applies them. Live processing and replay after a crash are the same loop over the same bytes.
/// </summary>
public sealed partial class PartitionProcessor(
    PartitionLog log, PartitionState state, ProcessingOptions options, TimeProvider clock, LatencyRecorder freshness, ILogger logger)
{
    private long _corrupt;

    public PartitionState State => state;

    /// <summary>Events appended to the log but not yet applied.</summary>
    public long Lag => Math.Max(0, log.DurableEnd.Offset - Volatile.Read(ref _appliedOffset));

    public long CorruptRecords => Interlocked.Read(ref _corrupt);

    private long _appliedOffset = state.Position.Offset;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using LogReader reader = log.OpenReader(state.Position);
        var batch = new LogRecordBatch();
        while (!cancellationToken.IsCancellationRequested)
        {
            int n = reader.Read(batch, options.BatchSize);
            if (n == 0)
            {
                try
                {
                    await log.WaitForDurableAsync(reader.Position.Offset, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                continue;
            }

            long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            lock (state.Gate)
            {
                for (int i = 0; i < n; i++)
                {
                    ApplyRecord(batch, i);
                }

                state.Position = reader.Position;
                state.LastActivityMs = now;
            }

            Volatile.Write(ref _appliedOffset, reader.Position.Offset);
            // Freshness: the oldest record of the batch, from its durable append to visible in state.
            freshness.Record(Math.Max(0, clock.GetUtcNow().ToUnixTimeMilliseconds() - batch.GetTimestamp(0)));
        }
    }

    private void ApplyRecord(LogRecordBatch batch, int i)
    {
        try
        {
            var e = new EncodedEvent(batch.GetPayload(i));
            state.Apply(e);
        }
        catch (InvalidDataException ex)
        {
            // A record whose CRC matched but whose payload does not decode: never crash-loop on it.
            Interlocked.Increment(ref _corrupt);
            LogUndecodable(logger, state.Partition, batch.GetOffset(i), ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Partition {Partition}: record at offset {Offset} does not decode and was skipped: {Reason}")]
    private static partial void LogUndecodable(ILogger logger, int partition, long offset, string reason);
}
