using Pulse.Log.Internal;

namespace Pulse.Log;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Deletes the oldest sealed segments whose records all lie below <paramref name="checkpointedOffset"/>
    /// and that are either older than the retention age (by their newest record) or keep the partition
    /// over its byte limit. Stops at the first segment that must stay, so the log remains contiguous.
    /// A reader inside a deleted segment finishes it through its open handle.
    /// </summary>
    /// <returns>The number of segments deleted.</returns>
    public int ApplyRetention(long checkpointedOffset)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long oldestKeptMs = NowMs() - (long)_options.RetentionAge.TotalMilliseconds;
        long durableSegment = DurableEnd.SegmentBaseOffset;
        List<Segment>? deleted = null;
        lock (_segmentsLock)
        {
            long total = 0;
            foreach (Segment segment in _segments)
            {
                total += segment.Length;
            }

            while (_segments.Count > 1)
            {
                Segment oldest = _segments[0];
                SegmentIndex index = oldest.Index;
                if (!oldest.IsSealed || oldest.BaseOffset >= durableSegment || index.LastOffset >= checkpointedOffset)
                {
                    break;
                }

                bool expired = index.RecordCount == 0 || index.MaxTimestamp < oldestKeptMs;
                bool overSize = total > _options.RetentionBytesPerPartition;
                if (!expired && !overSize)
                {
                    break;
                }

                _segments.RemoveAt(0);
                total -= oldest.Length;
                (deleted ??= []).Add(oldest);
            }
        }

        if (deleted is null)
        {
            return 0;
        }

        foreach (Segment segment in deleted)
        {
            segment.DeleteFiles();
            Interlocked.Add(ref _totalBytes, -segment.Length);
            LogMessages.SegmentDeleted(_logger, Partition, segment.LogPath, segment.Length, segment.Index.LastOffset);
            segment.Release();
        }

        return deleted.Count;
    }
}
