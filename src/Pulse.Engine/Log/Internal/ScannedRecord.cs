namespace Pulse.Log.Internal;

/// <summary>A record found by <see cref="SegmentScanner"/>: where it is, not its payload.</summary>
internal readonly record struct ScannedRecord(long Offset, long TimestampMs, long Position, int PayloadLength)
{
    public long End => Position + LogRecordFormat.HeaderSize + PayloadLength;
}
