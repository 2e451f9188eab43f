namespace Pulse.Log;

/// <summary>Counters of one partition log, for metrics and health.</summary>
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
    long WriteErrors);
