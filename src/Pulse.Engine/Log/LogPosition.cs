namespace Pulse.Log;

/// <summary>
/// Where the next record of a partition log starts: its offset, the segment holding it and the
/// byte position inside that segment. Readers keep one so resuming needs no index lookup.
/// </summary>
public readonly record struct LogPosition(long Offset, long SegmentBaseOffset, long BytePosition);
