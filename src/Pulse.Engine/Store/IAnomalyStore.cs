namespace Pulse.Store;

/// <summary>Where the anomaly monitor keeps what it found and how far it got.</summary>
public interface IAnomalyStore
{
    /// <summary>
    /// Stores anomalies and, optionally, the monitor's position in one transaction. An anomaly's key
    /// is its bucket, metric and group, so one re-derived after a restart replaces itself.
    /// </summary>
    void WriteAnomalies(IReadOnlyList<StoredAnomaly> anomalies, AnomalyCheckpoint? checkpoint);

    AnomalyCheckpoint? LoadAnomalyCheckpoint();

    /// <summary>Anomalies of buckets starting in [from, to), newest first.</summary>
    List<StoredAnomaly> ScanAnomalies(long from, long to, string? metric, int limit);
}
