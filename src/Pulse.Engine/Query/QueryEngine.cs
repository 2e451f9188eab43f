using Pulse.Processing;
using Pulse.Processing.Aggregation;
using Pulse.Processing.State;
using Pulse.Store;

namespace Pulse.Query;

/// <summary>
/// Answers metric queries by merging stored rollups (buckets evicted from memory) with resident
/// state. Values are absolute per partition and cell, so for any cell the memory value, when
/// present, supersedes the stored one and nothing is counted twice.
/// </summary>
public sealed class QueryEngine(
    IReadOnlyList<PartitionState> states, IRollupScans store, DimensionDictionary dictionary, ReaderWriterLockSlim residency, Func<long> watermark)
{
    private readonly SessionQueries _sessions = new(states, store, dictionary, watermark);

    public MetricResult Execute(MetricQuery query)
    {
        MetricDefinition metric = query.Metric;
        if (metric.IsSessionMetric)
        {
            return _sessions.Execute(query);
        }

        Dimension needed = Dimension.None;
        foreach (Dimension d in query.GroupBy)
        {
            needed |= d;
        }

        var equalities = new List<(Dimension Dimension, int Id)>();
        bool matchesNothing = false;
        if (metric.TypeFilter is not null)
        {
            needed |= Dimension.Type;
            matchesNothing |= !TryAddEquality(equalities, Dimension.Type, metric.TypeFilter);
        }

        foreach ((Dimension dimension, string value) in query.Filters)
        {
            needed |= dimension;
            matchesNothing |= !TryAddEquality(equalities, dimension, value);
        }

        QueryPlan plan = QueryPlan.Choose(query, needed);
        var groups = new Dictionary<(int, int, int), GroupAccumulator>();
        if (!matchesNothing)
        {
            residency.EnterReadLock();
            try
            {
                Scan(query, plan, equalities, groups);
            }
            finally
            {
                residency.ExitReadLock();
            }
        }

        return BuildResult(query, plan, groups);
    }

    private bool TryAddEquality(List<(Dimension, int)> equalities, Dimension dimension, string value)
    {
        if (!dictionary.TryGetId(System.Text.Encoding.UTF8.GetBytes(value), out int id))
        {
            return false;
        }

        foreach ((Dimension existing, int existingId) in equalities)
        {
            if (existing == dimension && existingId != id)
            {
                return false;
            }
        }

        equalities.Add((dimension, id));
        return true;
    }

    private void Scan(MetricQuery query, QueryPlan plan, List<(Dimension, int)> equalities, Dictionary<(int, int, int), GroupAccumulator> groups)
    {
        bool unique = query.Metric.Kind == MetricKind.Unique;
        long boundary = long.MinValue;
        foreach (PartitionState state in states)
        {
            boundary = Math.Max(boundary, state.LoadedFrom(plan.Resolution));
        }

        // Cells in memory for buckets the store also answers: the store's copy must be skipped.
        var superseded = new HashSet<(int, long, CellKey)>();
        foreach (PartitionState state in states)
        {
            lock (state.Gate)
            {
                foreach (Bucket bucket in state.BucketsAt(plan.Resolution).Values)
                {
                    if (bucket.Start < plan.From || bucket.Start >= plan.To)
                    {
                        continue;
                    }

                    int step = StepOf(plan, bucket.Start);
                    bool shadowsStore = bucket.Start < boundary;
                    if (unique)
                    {
                        foreach (KeyValuePair<CellKey, UniqueCell> cell in bucket.UniquesFor(plan.Mask)!)
                        {
                            if (Matches(cell.Key, equalities))
                            {
                                Group(groups, query, plan, cell.Key).Merge(step, cell.Value.Sketch);
                                if (shadowsStore)
                                {
                                    superseded.Add((state.Partition, bucket.Start, cell.Key));
                                }
                            }
                        }
                    }
                    else
                    {
                        foreach (KeyValuePair<CellKey, CountCell> cell in bucket.CountsFor(plan.Mask)!)
                        {
                            if (Matches(cell.Key, equalities))
                            {
                                Group(groups, query, plan, cell.Key).Add(step, ValueOf(query.Metric.Value, cell.Value.Count, cell.Value.RevenueMicros, cell.Value.Late));
                                if (shadowsStore)
                                {
                                    superseded.Add((state.Partition, bucket.Start, cell.Key));
                                }
                            }
                        }
                    }
                }
            }
        }

        if (boundary <= plan.From)
        {
            return;
        }

        var filter = new RowFilter
        {
            Resolution = plan.Resolution,
            Mask = plan.Mask,
            FromBucket = plan.From,
            ToBucket = Math.Min(plan.To, boundary),
            Equalities = equalities,
        };
        if (unique)
        {
            foreach (StoredUnique row in store.ScanUniques(filter))
            {
                if (!superseded.Contains((row.Partition, row.Bucket, row.Key)))
                {
                    Group(groups, query, plan, row.Key).Merge(StepOf(plan, row.Bucket), HyperLogLog.Deserialize(row.Sketch));
                }
            }
        }
        else
        {
            foreach (StoredCount row in store.ScanCounts(filter))
            {
                if (!superseded.Contains((row.Partition, row.Bucket, row.Key)))
                {
                    Group(groups, query, plan, row.Key).Add(StepOf(plan, row.Bucket), ValueOf(query.Metric.Value, row.Count, row.RevenueMicros, row.Late));
                }
            }
        }
    }

    private static long ValueOf(MetricValue value, long count, long revenueMicros, long late) => value switch
    {
        MetricValue.Count => count,
        MetricValue.RevenueMicros => revenueMicros,
        _ => late,
    };

    private static int StepOf(QueryPlan plan, long bucketStart) => plan.StepMs == 0 ? 0 : (int)((bucketStart - plan.From) / plan.StepMs);

    private static bool Matches(in CellKey key, List<(Dimension Dimension, int Id)> equalities)
    {
        foreach ((Dimension dimension, int id) in equalities)
        {
            if (key.Get(dimension) != id)
            {
                return false;
            }
        }

        return true;
    }

    private static GroupAccumulator Group(Dictionary<(int, int, int), GroupAccumulator> groups, MetricQuery query, QueryPlan plan, in CellKey key)
    {
        IReadOnlyList<Dimension> by = query.GroupBy;
        int a = by.Count > 0 ? key.Get(by[0]) : 0;
        int b = by.Count > 1 ? key.Get(by[1]) : 0;
        int c = by.Count > 2 ? key.Get(by[2]) : 0;
        if (!groups.TryGetValue((a, b, c), out GroupAccumulator? group))
        {
            group = new GroupAccumulator(a, b, c, plan.StepMs == 0 ? 0 : plan.StepCount, query.Metric.Kind == MetricKind.Unique);
            groups.Add((a, b, c), group);
        }

        return group;
    }

    private MetricResult BuildResult(MetricQuery query, QueryPlan plan, Dictionary<(int, int, int), GroupAccumulator> groups)
    {
        var ordered = new List<GroupAccumulator>(groups.Values);
        if (query.GroupBy.Count == 0 && ordered.Count == 0)
        {
            ordered.Add(new GroupAccumulator(0, 0, 0, plan.StepMs == 0 ? 0 : plan.StepCount, query.Metric.Kind == MetricKind.Unique));
        }

        ordered.Sort((x, y) => y.Total != x.Total ? y.Total.CompareTo(x.Total) : GroupLabel(query, x).CompareTo(GroupLabel(query, y), StringComparison.Ordinal));
        if (query.Limit is int limit && ordered.Count > limit)
        {
            ordered.RemoveRange(limit, ordered.Count - limit);
        }

        decimal scale = query.Metric.Value == MetricValue.RevenueMicros ? 1_000_000m : 1m;
        var series = new List<MetricSeries>(ordered.Count);
        foreach (GroupAccumulator group in ordered)
        {
            var labels = new Dictionary<string, string?>();
            for (int i = 0; i < query.GroupBy.Count; i++)
            {
                int id = i == 0 ? group.A : i == 1 ? group.B : group.C;
                labels[query.GroupBy[i].Name()] = id == DimensionDictionary.Empty ? null : dictionary.GetString(id);
            }

            List<(long, decimal)>? points = null;
            if (plan.StepMs > 0)
            {
                points = new List<(long, decimal)>(plan.StepCount);
                for (int s = 0; s < plan.StepCount; s++)
                {
                    points.Add((plan.From + (s * plan.StepMs), group.PointValue(s) / scale));
                }
            }

            series.Add(new MetricSeries { Group = labels, Total = group.Total / scale, Points = points });
        }

        return new MetricResult
        {
            Metric = query.Metric.Name,
            From = plan.From,
            To = plan.To,
            Step = query.StepName,
            Resolution = plan.Resolution.Name(),
            Watermark = watermark(),
            Series = series,
        };
    }

    private string GroupLabel(MetricQuery query, GroupAccumulator group)
    {
        return query.GroupBy.Count == 0 ? "" : $"{dictionary.GetString(group.A)}\u0001{dictionary.GetString(group.B)}\u0001{dictionary.GetString(group.C)}";
    }
}
