using System.Globalization;
using Pulse.Analytics.Metrics;
using Pulse.Processing;
using Pulse.Processing.Aggregation;
using Pulse.Processing.State;
using Pulse.Store;

namespace Pulse.Query;

/// <summary>
/// Answers <c>GET /v1/metrics/{name}</c> for user-defined metrics, in the same response shape as the
/// built-ins: resident aggregates of every partition (which supersede their stored copies) merged
/// with the stored ones; a hopping window's point at t merges the buckets of [t, t + size).
/// </summary>
public sealed class UserMetricQueries(IReadOnlyList<PartitionState> states, IRollupScans store, DimensionDictionary dictionary, Func<long> watermark)
{
    public MetricResult Execute(
        UserMetric metric, string? from, string? to, string? step, IEnumerable<string?> groupBy, IEnumerable<string?> filters, string? limit, string? stat, long nowMs)
    {
        long toMs = to is null ? nowMs : MetricQuery.ParseTime(to, "to");
        long fromMs = from is null ? toMs - 3_600_000 : MetricQuery.ParseTime(from, "from");
        if (fromMs >= toMs)
        {
            throw new QueryException($"'from' ({fromMs}) must be before 'to' ({toMs}).");
        }

        long stepMs = ParseStep(metric, step);
        int[] groupIndexes = ParseGroupBy(metric, groupBy);
        List<(int Index, int Id)>? equalities = ParseFilters(metric, filters);
        double quantile = ParseStat(metric, stat);
        int? top = limit is null ? null
            : int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 10_000 ? n
            : throw new QueryException($"'limit' must be an integer from 1 to 10000 (got '{limit}').");

        Resolution resolution = AggregateResolution.Choose(stepMs, metric.Window == MetricWindow.Hopping ? metric.HopMs : 0, fromMs, toMs);
        long width = resolution.WidthMs();
        long unit = stepMs > 0 ? stepMs : width;
        long rangeFrom = QueryPlan.FloorTo(fromMs, unit), rangeTo = QueryPlan.CeilTo(toMs, unit);
        int steps = stepMs == 0 ? 0 : (int)((rangeTo - rangeFrom) / stepMs);

        // A hopping point at t covers [t, t + size): read the buckets up to the last point's end.
        long span = metric.Window == MetricWindow.Hopping && steps > 0 ? metric.WindowMs : stepMs;
        long scanTo = steps > 0 ? rangeTo - stepMs + span : rangeTo;
        var groups = new Dictionary<(int, int, int), Group>();
        if (equalities is not null)
        {
            Scan(metric, resolution, rangeFrom, scanTo, (key, cell) =>
            {
                if (!Matches(key, equalities))
                {
                    return;
                }

                Group group = GroupOf(groups, key, groupIndexes, steps);
                if (key.Bucket < rangeTo)
                {
                    group.Total.Merge(cell);
                }

                for (int s = 0; s < steps; s++)
                {
                    long start = rangeFrom + (s * stepMs);
                    if (key.Bucket >= start && key.Bucket < start + span)
                    {
                        group.Points![s].Merge(cell);
                    }
                }
            });
        }

        return Build(metric, groupIndexes, groups, steps, stepMs, step, resolution, rangeFrom, rangeTo, quantile, stat, top);
    }

    private void Scan(UserMetric metric, Resolution resolution, long from, long to, Action<UserMetricKey, UserMetricCell> visit)
    {
        var resident = new HashSet<(int, UserMetricKey)>();
        foreach (PartitionState state in states)
        {
            if (state.Metrics is not { } metrics)
            {
                continue;
            }

            lock (state.Gate)
            {
                foreach ((UserMetricKey key, UserMetricCell cell) in metrics.Cells)
                {
                    if (key.Metric == metric.Name && key.Resolution == resolution && key.Bucket >= from && key.Bucket < to)
                    {
                        resident.Add((state.Partition, key));
                        var copy = new UserMetricCell();
                        copy.Merge(cell);
                        visit(key, copy);
                    }
                }
            }
        }

        foreach (StoredMetricCell row in store.ScanMetricCells(metric.Name, resolution, from, to, metric.Aggregate))
        {
            if (!resident.Contains((row.Partition, row.Key)))
            {
                visit(row.Key, row.Cell);
            }
        }
    }

    private static long ParseStep(UserMetric metric, string? step)
    {
        if (step is null)
        {
            return 0;
        }

        long ms = 0;
        foreach ((string name, long stepMs) in MetricQuery.Steps)
        {
            ms = name == step ? stepMs : ms;
        }

        if (ms == 0)
        {
            throw new QueryException($"'step' must be one of 1s, 10s, 1m, 5m, 1h, 1d (got '{step}').");
        }

        if (ms < 60_000)
        {
            throw new QueryException($"'{metric.Name}' is kept per minute, hour and day: use step 1m or more.");
        }

        return metric.Window == MetricWindow.Hopping && ms != metric.HopMs
            ? throw new QueryException($"'{metric.Name}' has hopping windows of {Pulse.Analytics.Patterns.DurationText.Format(metric.WindowMs)} every {Pulse.Analytics.Patterns.DurationText.Format(metric.HopMs)}: its step is {Pulse.Analytics.Patterns.DurationText.Format(metric.HopMs)} (or none, for one value over the range).")
            : ms;
    }

    private static int[] ParseGroupBy(UserMetric metric, IEnumerable<string?> groupBy)
    {
        var indexes = new List<int>();
        foreach (string? list in groupBy)
        {
            foreach (string part in (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int i = IndexOf(metric, part, "group_by");
                if (!indexes.Contains(i))
                {
                    indexes.Add(i);
                }
            }
        }

        return [.. indexes];
    }

    /// <summary>Null when a filter's value was never seen (nothing can match).</summary>
    private List<(int, int)>? ParseFilters(UserMetric metric, IEnumerable<string?> filters)
    {
        var equalities = new List<(int, int)>();
        bool none = false;
        foreach (string? f in filters)
        {
            int colon = f?.IndexOf(':', StringComparison.Ordinal) ?? -1;
            if (f is null || colon <= 0)
            {
                throw new QueryException($"'filter' must be 'field:value' (got '{f}').");
            }

            int i = IndexOf(metric, f[..colon], "filter");
            if (dictionary.TryGetId(System.Text.Encoding.UTF8.GetBytes(f[(colon + 1)..]), out int id))
            {
                equalities.Add((i, id));
            }
            else
            {
                none = true;
            }
        }

        return none ? null : equalities;
    }

    private static int IndexOf(UserMetric metric, string name, string parameter)
    {
        for (int i = 0; i < metric.GroupBy.Count; i++)
        {
            if (metric.GroupBy[i].Name == name)
            {
                return i;
            }
        }

        throw new QueryException($"'{parameter}': '{name}' is not a group-by field of '{metric.Name}' (its fields: {string.Join(", ", metric.GroupBy.Select(g => g.Name))}).");
    }

    private static double ParseStat(UserMetric metric, string? stat)
    {
        if (metric.Aggregate != MetricAggregate.Percentile)
        {
            return stat is null ? 0.5 : throw new QueryException($"'stat' applies to percentile metrics; '{metric.Name}' aggregates by {metric.AggregateName}.");
        }

        return (stat ?? "p50") switch
        {
            "p50" => 0.5,
            "p90" => 0.9,
            "p95" => 0.95,
            "p99" => 0.99,
            "avg" => MetricQuery.Avg,
            "min" => 0,
            "max" => 1,
            _ => throw new QueryException($"'stat' must be one of p50, p90, p95, p99, avg, min, max (got '{stat}')."),
        };
    }

    private static bool Matches(UserMetricKey key, List<(int Index, int Id)> equalities)
    {
        foreach ((int index, int id) in equalities)
        {
            if (GroupValue(key, index) != id)
            {
                return false;
            }
        }

        return true;
    }

    private static int GroupValue(UserMetricKey key, int index) => index switch { 0 => key.G1, 1 => key.G2, _ => key.G3 };

    private static Group GroupOf(Dictionary<(int, int, int), Group> groups, UserMetricKey key, int[] indexes, int steps)
    {
        int a = indexes.Length > 0 ? GroupValue(key, indexes[0]) : 0;
        int b = indexes.Length > 1 ? GroupValue(key, indexes[1]) : 0;
        int c = indexes.Length > 2 ? GroupValue(key, indexes[2]) : 0;
        if (!groups.TryGetValue((a, b, c), out Group? group))
        {
            group = new Group([a, b, c], steps);
            groups.Add((a, b, c), group);
        }

        return group;
    }

    private MetricResult Build(
        UserMetric metric, int[] indexes, Dictionary<(int, int, int), Group> groups, int steps, long stepMs, string? stepName,
        Resolution resolution, long from, long to, double quantile, string? stat, int? top)
    {
        var ordered = groups.Values.Select(g => (Group: g, Total: ValueOf(metric, g.Total, quantile))).ToList();
        if (indexes.Length == 0 && ordered.Count == 0)
        {
            ordered.Add((new Group([0, 0, 0], steps), 0));
        }

        ordered.Sort((x, y) => y.Total != x.Total ? y.Total.CompareTo(x.Total) : string.CompareOrdinal(Label(x.Group), Label(y.Group)));
        if (top is int limit && ordered.Count > limit)
        {
            ordered.RemoveRange(limit, ordered.Count - limit);
        }

        bool capped = false;
        var series = new List<MetricSeries>(ordered.Count);
        foreach ((Group group, decimal total) in ordered)
        {
            var labels = new Dictionary<string, string?>();
            for (int i = 0; i < indexes.Length; i++)
            {
                int id = group.Ids[i];
                string? value = id == DimensionDictionary.Empty ? null : dictionary.GetString(id);
                capped |= value == PartitionMetrics.OtherGroup;
                labels[metric.GroupBy[indexes[i]].Name] = value;
            }

            List<(long, decimal)>? points = steps == 0 ? null
                : [.. Enumerable.Range(0, steps).Select(s => (from + (s * stepMs), ValueOf(metric, group.Points![s], quantile)))];
            series.Add(new MetricSeries { Group = labels, Total = total, Points = points });
        }

        return new MetricResult
        {
            Metric = metric.Name,
            From = from,
            To = to,
            Step = stepName,
            Resolution = resolution.Name(),
            Watermark = watermark(),
            Stat = metric.Aggregate == MetricAggregate.Percentile ? stat ?? "p50" : null,
            Capped = capped,
            Series = series,
        };
    }

    private string Label(Group group) => string.Join('\u0001', group.Ids.Select(dictionary.GetString));

    private static decimal ValueOf(UserMetric metric, UserMetricCell cell, double quantile)
    {
        if (cell.Count == 0)
        {
            return 0;
        }

        double value = metric.Aggregate switch
        {
            MetricAggregate.Count => cell.Count,
            MetricAggregate.Sum => cell.Sum,
            MetricAggregate.Avg => cell.Sum / cell.Count,
            MetricAggregate.Min => cell.Min,
            MetricAggregate.Max => cell.Max,
            MetricAggregate.Unique => cell.Distinct?.Estimate() ?? 0,
            _ => cell.Values is not { Count: > 0 } v ? 0
                : quantile == MetricQuery.Avg ? v.Average : quantile == 0 ? v.Min : quantile == 1 ? v.Max : v.Quantile(quantile),
        };
        return metric.Aggregate is MetricAggregate.Count or MetricAggregate.Unique ? (decimal)value : Math.Round((decimal)value, 6);
    }

    private sealed class Group(int[] ids, int steps)
    {
        public int[] Ids { get; } = ids;
        public UserMetricCell Total { get; } = new();
        public UserMetricCell[]? Points { get; } = steps == 0 ? null : [.. Enumerable.Range(0, steps).Select(_ => new UserMetricCell())];
    }
}
