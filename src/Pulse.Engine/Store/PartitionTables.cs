namespace Pulse.Store;

/// <summary>The tables whose rows belong to one partition (its checkpoint included): what <see cref="ICheckpointStore.ResetPartition"/> clears.</summary>
internal static class PartitionTables
{
    public static readonly string[] Names =
        ["counts", "uniques", "session_cells", "session_pages", "funnel_cells", "pattern_matches", "metric_cells", "analytics_state", "checkpoints"];

    /// <summary>Σ count of a partition's day rows of the type cuboid: every event its full checkpoints counted, once.</summary>
    public const string StoredEventsSql = "SELECT COALESCE(SUM(count), 0) FROM counts WHERE res = 3 AND mask = 1 AND partition = ";
}
