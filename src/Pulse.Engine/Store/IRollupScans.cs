using Pulse.Analytics;
using Pulse.Analytics.Metrics;
using Pulse.Analytics.Sessions;
using Pulse.Processing.Aggregation;

namespace Pulse.Store;

/// <summary>
/// What queries read from a store: per-partition partial aggregates (counts, sums, sketches) of a
/// range of buckets, which the query merges with each other and with memory.
/// </summary>
public interface IRollupScans
{
    IEnumerable<StoredCount> ScanCounts(RowFilter filter);

    IEnumerable<StoredUnique> ScanUniques(RowFilter filter);

    IEnumerable<StoredSessionCell> ScanSessionCells(Resolution resolution, long fromBucket, long toBucket);

    IEnumerable<(int Partition, SessionPageKey Key, long Count)> ScanSessionPages(Resolution resolution, bool exit, long fromBucket, long toBucket);

    IEnumerable<StoredFunnelCell> ScanFunnelCells(string funnel, Resolution resolution, long fromBucket, long toBucket);

    /// <summary>Stored aggregates of a user metric at one resolution with buckets in [from, to).</summary>
    IEnumerable<StoredMetricCell> ScanMetricCells(string metric, Resolution resolution, long fromBucket, long toBucket, MetricAggregate aggregate);

    /// <summary>Stored matches of a pattern with <c>ts</c> in [from, to), newest first.</summary>
    List<PatternMatchRecord> ScanMatches(string pattern, long from, long to, int limit);

    /// <summary>Stored matches of a pattern with <c>ts</c> in [from, to), counted per <paramref name="widthMs"/> from <paramref name="from"/>: (bucket start, count).</summary>
    List<(long Bucket, long Count)> CountMatchesByTime(string pattern, long from, long to, long widthMs);

    /// <summary>Whether this exact match is stored (its checkpoint committed).</summary>
    bool HasMatch(int partition, PatternMatchRecord match);
}
