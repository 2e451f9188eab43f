using Pulse.Log.Internal;

namespace Pulse.Log;

public sealed partial class PartitionLog
{
    // Ranges of offsets found unreadable, by first offset. Several readers cross the same damage
    // (the processor, the dedupe rebuild, pending-event recovery), so a range is counted once.
    private readonly Lock _lostLock = new();
    private readonly SortedDictionary<long, long> _lostRanges = [];
    private long _recordsLost;

    /// <summary>The offset ranges (first, last) found unreadable since start, oldest first.</summary>
    public IReadOnlyList<(long First, long Last)> LostRanges
    {
        get
        {
            lock (_lostLock)
            {
                return [.. _lostRanges.Select(static kv => (kv.Key, kv.Value))];
            }
        }
    }

    /// <summary>
    /// Records that the offsets [<paramref name="first"/>, <paramref name="last"/>] cannot be read
    /// (their bytes are corrupt or gone). Only the part no earlier report covered is counted.
    /// </summary>
    internal void RecordLost(long first, long last)
    {
        if (last < first)
        {
            return;
        }

        long added = 0;
        lock (_lostLock)
        {
            long from = first;
            foreach ((long start, long end) in _lostRanges)
            {
                if (end < from)
                {
                    continue;
                }

                if (start > last)
                {
                    break;
                }

                // [from, start) is new; [start, end] was known.
                added += Math.Max(0, Math.Min(start - 1, last) - from + 1);
                from = Math.Max(from, end + 1);
                if (from > last)
                {
                    break;
                }
            }

            if (from <= last)
            {
                added += last - from + 1;
            }

            if (added == 0)
            {
                return;
            }

            // Merge into one range covering everything it touches.
            long mergedFirst = first, mergedLast = last;
            foreach ((long start, long end) in _lostRanges.Where(kv => kv.Value >= first - 1 && kv.Key <= last + 1).ToList())
            {
                mergedFirst = Math.Min(mergedFirst, start);
                mergedLast = Math.Max(mergedLast, end);
                _lostRanges.Remove(start);
            }

            _lostRanges[mergedFirst] = mergedLast;
        }

        Interlocked.Add(ref _recordsLost, added);
        LogMessages.RecordsLost(_logger, Partition, first, last, added);
    }
}
