using Microsoft.Extensions.Logging;

namespace Pulse.Log.Internal;

internal static partial class LogMessages
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Log partition {Partition} recovered: {Segments} segments, next offset {NextOffset}, {Bytes} bytes, in {ElapsedMs} ms")]
    public static partial void Recovered(ILogger logger, int partition, int segments, long nextOffset, long bytes, long elapsedMs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Log partition {Partition}: torn tail in {Segment} at byte {Position}; cut {Bytes} bytes (appends that were never acknowledged)")]
    public static partial void TruncatedTornTail(ILogger logger, int partition, string segment, long position, long bytes);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Log partition {Partition}: corrupt record in {Segment} at byte {Position}; skipped {Bytes} bytes to the next valid record")]
    public static partial void CorruptionSkipped(ILogger logger, int partition, string segment, long position, long bytes);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "Log partition {Partition}: offsets {From} to {To} are missing (a segment is missing or truncated); continuing after them")]
    public static partial void OffsetGap(ILogger logger, int partition, long from, long to);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Log partition {Partition}: rebuilt the index of {Segment}")]
    public static partial void IndexRebuilt(ILogger logger, int partition, string segment);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Error, Message = "Log partition {Partition}: write or fsync failed; the appends of this cycle are rejected and the log is cut back to its durable end")]
    public static partial void WriteFailed(ILogger logger, int partition, Exception exception);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Critical, Message = "Log partition {Partition}: could not cut the log back after a failed write; appends are refused until it recovers")]
    public static partial void RollbackFailed(ILogger logger, int partition, Exception exception);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Information, Message = "Log partition {Partition}: retention deleted {Segment} ({Bytes} bytes, offsets up to {LastOffset})")]
    public static partial void SegmentDeleted(ILogger logger, int partition, string segment, long bytes, long lastOffset);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Information, Message = "Log partition {Partition} takes appends again")]
    public static partial void Healthy(ILogger logger, int partition);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Error, Message = "Log partition {Partition}: offsets {From} to {To} are unreadable; {Count} acknowledged records are lost and not counted")]
    public static partial void RecordsLost(ILogger logger, int partition, long from, long to, long count);
}
