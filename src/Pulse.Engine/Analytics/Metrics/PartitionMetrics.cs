using Pulse.Events;
using Pulse.Processing.Aggregation;
using Pulse.Processing.State;

namespace Pulse.Analytics.Metrics;

/// <summary>
/// The user-defined metrics of one partition: every event that passes a metric's filter is added,
/// in its event time, to its group's bucket at every aggregate resolution. Aggregates are mergeable,
/// so arrival order does not matter and late events are added where they belong. A bucket keeps at
/// most <see cref="UserMetric.MaxGroups"/> groups; events of further groups go to the group
/// "(other)", so a high-cardinality group-by cannot exhaust memory. Single writer (the partition's
/// processor, under the partition's lock); checkpointed with the full checkpoint.
/// </summary>
public sealed class PartitionMetrics(int partition, IReadOnlyList<UserMetric> metrics, DimensionDictionary dictionary, IUserMetricStore store, TimeSpan allowedLateness, TimeSpan resident)
{
    /// <summary>The group value that stands for every group past a bucket's cap.</summary>
    public const string OtherGroup = "(other)";

    private readonly Dictionary<UserMetricKey, UserMetricCell> _cells = [];
    private readonly Dictionary<(string, Resolution, long), int> _groupsPerBucket = [];
    private readonly List<UserMetricKey> _dirty = [];
    private readonly List<(UserMetric Metric, UserMetricKey Key, double Value, ulong Hash)> _touched = [];
    private readonly byte[] _scratch = new byte[8192];
    private int _otherId = -1;
    private long _lastOffset = -1;

    // Buckets starting before this may have stored aggregates; a new cell of a later bucket skips
    // the store read (most new cells are of new buckets). Raised by eviction.
    private long _storedThrough = store.StoredThrough(partition);
    private long _maxEventTimeMs = long.MinValue;

    public int Partition { get; } = partition;

    public IReadOnlyList<UserMetric> Metrics { get; private set; } = metrics;

    public IReadOnlyDictionary<UserMetricKey, UserMetricCell> Cells => _cells;

    /// <summary>Events that went to "(other)" because their bucket had reached the metric's group cap.</summary>
    public long CappedEvents { get; private set; }

    /// <summary>Runs <paramref name="metrics"/> from the next event on (a definition changed). Caller holds the partition's lock.</summary>
    public void SwapMetrics(IReadOnlyList<UserMetric> metrics) => Metrics = metrics;

    /// <summary>
    /// Adds one record to every metric it passes. Safe to call again after it threw (a stored
    /// aggregate failed to load): every aggregate the record changes is loaded before any changes.
    /// </summary>
    public void Apply(in EncodedEvent e, long offset)
    {
        if (offset <= _lastOffset || Metrics.Count == 0)
        {
            _lastOffset = Math.Max(_lastOffset, offset);
            return;
        }

        long time = e.Header.EventTimeMs;
        _touched.Clear();
        foreach (UserMetric metric in Metrics)
        {
            if (metric.Filter is { } filter && !filter.Matches(e))
            {
                continue;
            }

            double value = 0;
            ulong hash = 0;
            if (metric.Aggregate == MetricAggregate.Unique)
            {
                ReadOnlySpan<byte> text = metric.Field!.GetText(e, _scratch);
                if (text.IsEmpty)
                {
                    continue;
                }

                hash = metric.Field.Name == "user_id" ? e.Header.UserHash : Hash64.Compute(text);
            }
            else if (metric.Aggregate != MetricAggregate.Count && !metric.Field!.TryGetNumber(e, out value))
            {
                // An event without the field does not take part (as SQL's aggregates skip NULL).
                continue;
            }

            int g1 = KnownGroup(metric, 0, e), g2 = KnownGroup(metric, 1, e), g3 = KnownGroup(metric, 2, e);
            foreach (Resolution r in PartitionAnalytics.AggregateResolutions)
            {
                UserMetricKey key = KeyFor(metric, r, r.BucketStart(time), ref g1, ref g2, ref g3, e);
                _ = CellAt(metric, key);
                _touched.Add((metric, key, value, hash));
            }
        }

        foreach ((UserMetric metric, UserMetricKey key, double value, ulong hash) in _touched)
        {
            UserMetricCell cell = _cells[key];
            if (metric.Aggregate == MetricAggregate.Unique)
            {
                cell.Count++;
                cell.Distinct!.Add(hash);
            }
            else
            {
                cell.Add(value);
            }

            if (!cell.Dirty)
            {
                cell.Dirty = true;
                _dirty.Add(key);
            }
        }

        _maxEventTimeMs = Math.Max(_maxEventTimeMs, time);
        _lastOffset = offset;
    }

    /// <summary>A group value's dictionary id, or <see cref="NewValue"/> for a value never seen (interned only if a bucket takes it, see <see cref="KeyFor"/>).</summary>
    private int KnownGroup(UserMetric metric, int i, in EncodedEvent e)
    {
        if (i >= metric.GroupBy.Count)
        {
            return 0;
        }

        ReadOnlySpan<byte> text = GroupText(metric, i, e);
        return text.IsEmpty ? DimensionDictionary.Empty : dictionary.TryGetId(text, out int id) ? id : NewValue;
    }

    private ReadOnlySpan<byte> GroupText(UserMetric metric, int i, in EncodedEvent e)
    {
        ReadOnlySpan<byte> text = metric.GroupBy[i].GetText(e, _scratch);
        return text[..Math.Min(text.Length, DimensionDictionary.MaxValueBytes)];
    }

    private const int NewValue = -1;

    /// <summary>
    /// The cell's key, or the bucket's "(other)" key once the bucket holds the metric's most groups.
    /// A group value never seen before is interned only when a bucket takes its group, so values
    /// past the cap (a user id per event, say) do not grow the dictionary either.
    /// </summary>
    private UserMetricKey KeyFor(UserMetric metric, Resolution r, long bucket, ref int g1, ref int g2, ref int g3, in EncodedEvent e)
    {
        bool known = g1 != NewValue && g2 != NewValue && g3 != NewValue;
        var key = new UserMetricKey(metric.Name, r, bucket, g1, g2, g3);
        if (metric.GroupBy.Count == 0 || (known && _cells.ContainsKey(key)))
        {
            return key;
        }

        _groupsPerBucket.TryGetValue((metric.Name, r, bucket), out int groups);
        if (groups < metric.MaxGroups)
        {
            if (!known)
            {
                g1 = g1 == NewValue ? dictionary.GetOrAdd(GroupText(metric, 0, e)) : g1;
                g2 = g2 == NewValue ? dictionary.GetOrAdd(GroupText(metric, 1, e)) : g2;
                g3 = g3 == NewValue ? dictionary.GetOrAdd(GroupText(metric, 2, e)) : g3;
                key = new UserMetricKey(metric.Name, r, bucket, g1, g2, g3);
            }

            return key;
        }

        CappedEvents += r == Resolution.Minute ? 1 : 0;

        // Interned when first needed, on the processor's thread like every other dimension value,
        // so the next checkpoint stores it in the dictionary.
        int other = _otherId >= 0 ? _otherId : _otherId = dictionary.GetOrAdd("(other)"u8);
        return new UserMetricKey(metric.Name, r, bucket, other, metric.GroupBy.Count > 1 ? other : 0, metric.GroupBy.Count > 2 ? other : 0);
    }

    private UserMetricCell CellAt(UserMetric metric, in UserMetricKey key)
    {
        if (_cells.TryGetValue(key, out UserMetricCell? cell))
        {
            return cell;
        }

        cell = (key.Bucket < _storedThrough ? store.TryLoadMetricCell(Partition, key, metric.Aggregate) : null) ?? new UserMetricCell();
        cell.Dirty = false;
        if (metric.Aggregate == MetricAggregate.Unique)
        {
            cell.Distinct ??= new HyperLogLog();
        }
        else if (metric.Aggregate == MetricAggregate.Percentile)
        {
            cell.Values ??= new DDSketch();
        }

        _cells.Add(key, cell);
        var bucket = (key.Metric, key.Resolution, key.Bucket);
        _groupsPerBucket[bucket] = _groupsPerBucket.GetValueOrDefault(bucket) + 1;
        return cell;
    }

    /// <summary>Moves every changed aggregate into <paramref name="snapshot"/>. Caller holds the partition's lock.</summary>
    public void TakeChanges(AnalyticsSnapshot snapshot)
    {
        foreach (UserMetricKey key in _dirty)
        {
            UserMetricCell cell = _cells[key];
            cell.Dirty = false;
            int offset = snapshot.Bytes.WrittenCount, length = 0;
            if (cell.Distinct is { } distinct)
            {
                length = distinct.Serialize(snapshot.Bytes.GetSpan(distinct.MaxSerializedSize));
                snapshot.Bytes.Advance(length);
            }
            else if (cell.Values is { } values)
            {
                length = values.Serialize(snapshot.Bytes);
            }

            snapshot.Metrics.Add(new UserMetricRow(key, cell.Count, cell.Sum, cell.Min, cell.Max, offset, length));
        }

        _dirty.Clear();
    }

    /// <summary>The checkpoint failed: its aggregates must be written by the next one.</summary>
    public void RestoreChanges(AnalyticsSnapshot snapshot)
    {
        foreach (UserMetricRow row in snapshot.Metrics)
        {
            if (_cells.TryGetValue(row.Key, out UserMetricCell? cell) && !cell.Dirty)
            {
                cell.Dirty = true;
                _dirty.Add(row.Key);
            }
        }
    }

    /// <summary>Drops clean aggregates of buckets that ended more than the resident span before the watermark.</summary>
    public int Evict()
    {
        if (_maxEventTimeMs == long.MinValue)
        {
            return 0;
        }

        long horizon = _maxEventTimeMs - (long)allowedLateness.TotalMilliseconds - (long)resident.TotalMilliseconds;
        List<UserMetricKey>? drop = null;
        foreach ((UserMetricKey key, UserMetricCell cell) in _cells)
        {
            if (!cell.Dirty && key.Bucket + key.Resolution.WidthMs() <= horizon)
            {
                (drop ??= []).Add(key);
            }
        }

        foreach (UserMetricKey key in drop ?? [])
        {
            _storedThrough = Math.Max(_storedThrough, key.Bucket + key.Resolution.WidthMs());
            _cells.Remove(key);
            _groupsPerBucket.Remove((key.Metric, key.Resolution, key.Bucket));
        }

        return drop?.Count ?? 0;
    }
}
