using Pulse.Analytics;
using Pulse.Analytics.Metrics;
using Pulse.Processing;
using Pulse.Processing.State;

namespace Pulse.Store;

/// <summary>
/// The write side of a store and what a restart reads back: checkpoints (cell changes, dictionary
/// entries and log positions committed together), resident buckets, and retention.
/// </summary>
public interface ICheckpointStore
{
    void LoadDictionary(DimensionDictionary dictionary);

    StoredCheckpoint? LoadCheckpoint(int partition);

    /// <summary>
    /// The events the partition's stored day rollups hold (the type cuboid, summed). A full
    /// checkpoint writes them with its event count in one transaction, so the two agree unless the
    /// store lost or kept rows its checkpoint does not describe (a damaged, edited or half-restored file).
    /// </summary>
    long StoredEvents(int partition);

    /// <summary>Deletes every row of the partition (rollups, analytics, metric cells, its checkpoint) in one transaction, so it can be rebuilt from the log.</summary>
    void ResetPartition(int partition);

    /// <summary>Loads every stored cell of the state's partition in buckets at or after <paramref name="loadedFrom"/> (per resolution); returns the rows loaded.</summary>
    int LoadResident(PartitionState state, ReadOnlySpan<long> loadedFrom);

    /// <summary>The analytics state of the partition's last full checkpoint, or null.</summary>
    byte[]? LoadAnalyticsState(int partition);

    /// <summary>
    /// Commits new dictionary entries, the snapshots' changed cells and their log positions in one
    /// transaction: after a crash, state and offsets always agree, so replay counts nothing twice.
    /// A full snapshot moves the partition's replay base; a seconds-only one moves only the offset
    /// its 1-second rows reach (and needs a full one before it).
    /// </summary>
    void WriteCheckpoint(IReadOnlyList<CheckpointSnapshot> snapshots, IReadOnlyList<(int Id, byte[] Value)> newDimensions, long nowMs);

    /// <summary>
    /// Replaces, in one transaction, a partition's stored rows of every bucket wholly inside
    /// [<paramref name="fromMs"/>, <paramref name="toMs"/>) with recomputed ones: the event rollups
    /// when <paramref name="rollups"/> is given, and the cells of <paramref name="metrics"/>.
    /// </summary>
    /// <returns>The rows written.</returns>
    int ReplaceRollups(int partition, long fromMs, long toMs, CheckpointSnapshot? rollups, IReadOnlyList<UserMetric> metrics,
        AnalyticsSnapshot metricRows, IReadOnlyList<(int Id, byte[] Value)> newDimensions);

    /// <summary>
    /// Deletes rollups whose bucket starts before each resolution's retention (zero keeps forever),
    /// and matches and anomalies older than the minute retention; user metrics named in
    /// <paramref name="ownRetention"/> keep theirs (<see cref="ApplyMetricRetention"/>).
    /// </summary>
    /// <returns>The rows deleted (a store that drops whole partitions may count them as it can).</returns>
    int ApplyRetention(long nowMs, ReadOnlySpan<TimeSpan> retention, IReadOnlyCollection<string>? ownRetention = null);

    /// <summary>Deletes a user metric's rollups older than its own retention (at every resolution).</summary>
    int ApplyMetricRetention(string metric, long beforeMs);
}
