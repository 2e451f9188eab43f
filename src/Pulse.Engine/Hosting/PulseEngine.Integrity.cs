using Microsoft.Extensions.Logging;
using Pulse.Log;
using Pulse.Store;

namespace Pulse.Hosting;

public sealed partial class PulseEngine
{
    /// <summary>Partitions whose stored rollups disagreed with their checkpoint at start (see <see cref="StoreDivergence"/>).</summary>
    public IReadOnlyList<StoreDivergence> Divergences { get; private init; } = [];

    /// <summary>
    /// A checkpoint and the rollups it describes are committed in one transaction, so they diverge
    /// only when the store file was damaged, edited or restored in part: rollups missing under a
    /// checkpoint would lose their events for good (replay starts after them), and rollups ahead of
    /// their checkpoint — or without one — would count the replayed records twice. The day rollups'
    /// event total is the witness: it must equal the checkpoint's event count. When it does not and
    /// the log still starts at offset 0, the partition's rows are cleared and rebuilt from the log,
    /// which makes every total exact again; a log trimmed by retention cannot give back what it
    /// dropped, so then the rows stay and the divergence is only reported.
    /// </summary>
    /// <returns>The checkpoint to restore from: null after a rebuild.</returns>
    private static StoredCheckpoint? VerifyCheckpoint(
        ICheckpointStore store, PartitionLog log, StoredCheckpoint? checkpoint, PulseOptions options, ILogger logger, List<StoreDivergence> divergences)
    {
        int partition = log.Partition;
        long stored = store.StoredEvents(partition);
        long counted = checkpoint?.EventsProcessed ?? 0;
        // Day retention deletes old day rows on purpose; then only rows beyond the checkpoint are a divergence.
        bool dayRetention = options.Store.RetentionDays > TimeSpan.Zero;
        if (stored == counted || (stored < counted && dayRetention))
        {
            return checkpoint;
        }

        bool rebuild = log.StartPosition.Offset == 0;
        divergences.Add(new StoreDivergence(partition, stored, counted, rebuild));
        if (!rebuild)
        {
            LogDivergenceKept(logger, partition, stored, counted, log.StartPosition.Offset);
            return checkpoint;
        }

        LogDivergenceRebuilt(logger, partition, stored, counted, log.DurableEnd.Offset);
        store.ResetPartition(partition);
        return null;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Partition {Partition}: the stored rollups hold {Stored} events but its checkpoint counted {Counted}; the partition rows were cleared and are rebuilt from the log ({Records} records)")]
    private static partial void LogDivergenceRebuilt(ILogger logger, int partition, long stored, long counted, long records);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Partition {Partition}: the stored rollups hold {Stored} events but its checkpoint counted {Counted}, and the log starts at offset {Start} so it cannot rebuild them; totals of this partition may be off by the difference")]
    private static partial void LogDivergenceKept(ILogger logger, int partition, long stored, long counted, long start);
}
