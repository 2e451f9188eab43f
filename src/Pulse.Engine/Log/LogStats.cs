namespace Pulse.Log;

/// <summary>Counters of one partition log, for metrics and health.</summary>
/// <param name="RecordsLost">Offsets found unreadable since start (corrupt records, missing or truncated segments), each counted once however many readers met it.</param>
public readonly record struct LogStats(
    long Bytes,
    int Segments,
    long PendingBytes,
    long AppendedRecords,
    long Fsyncs,
    TimeSpan LastFsyncDuration,
    long RecoveryTruncations,
    long RecoveryTruncatedBytes,
    long CorruptionsSkipped,
    long WriteErrors,
    long RecordsLost);
