namespace Pulse.Log.Internal;

/// <summary>A sparse index point: the record with this offset starts at this byte position and was appended at this time.</summary>
internal readonly record struct IndexEntry(long Offset, long Position, long TimestampMs);
