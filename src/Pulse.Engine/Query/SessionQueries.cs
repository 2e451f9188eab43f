using Pulse.Analytics;
using Pulse.Analytics.Sessions;
using Pulse.Processing;
using Pulse.Processing.Aggregation;
using Pulse.Processing.State;
using Pulse.Store;

namespace Pulse.Query;

/// <summary>
/// Answers the session metrics from the session aggregates: resident ones in each partition's
/// analytics and stored ones, where a resident aggregate supersedes its stored copy (both hold
/// absolute values). Every distribution merges sketches, so a range's statistic is computed over
/// all its sessions, never averaged from its points.
/// </summary>
internal sealed class SessionQueries(IReadOnlyList<PartitionState> states, IRollupScans store, DimensionDictionary dictionary, Func<long> watermark)
{
    public MetricResult Execute(MetricQuery query)
    {
        Resolution resolution = ChooseResolution(query);
        long width = resolution.WidthMs();
        long from = QueryPlan.FloorTo(query.StepMs > 0 ? QueryPlan.FloorTo(query.From, query.StepMs) : query.From, width);
        long to = QueryPlan.CeilTo(query.StepMs > 0 ? QueryPlan.CeilTo(query.To, query.StepMs) : query.To, width);
        int steps = query.StepMs == 0 ? 0 : (int)((to - from) / query.StepMs);
        var filters = ResolveFilters(query, out bool matchesNothing);
        var groups = new Dictionary<(int, int), SessionGroup>();
        if (!matchesNothing)
        {
            bool pages = query.Metric.Value is MetricValue.EntryPages or MetricValue.ExitPages;
            if (pages)
            {
                ScanPages(query, resolution, from, to, steps, filters, groups);
            }
            else
            {
                ScanSessions(query, resolution, from, to, steps, filters, groups);
            }
        }

        return BuildResult(query, resolution, from, to, steps, groups);
    }

    private static Resolution ChooseResolution(MetricQuery query)
    {
        if (query.StepMs > 0 && query.StepMs < Resolution.Minute.WidthMs())
        {
            throw new QueryException($"'{query.Metric.Name}' is kept per minute, hour and day: use step 1m or more.");
        }

        return AggregateResolution.Choose(query.StepMs, 0, query.From, query.To);
    }

    private List<(Dimension Dimension, int Id)> ResolveFilters(MetricQuery query, out bool matchesNothing)
    {
        matchesNothing = false;
        var filters = new List<(Dimension, int)>();
        foreach ((Dimension dimension, string value) in query.Filters)
        {
            if (dictionary.TryGetId(System.Text.Encoding.UTF8.GetBytes(value), out int id))
            {
                filters.Add((dimension, id));
            }
            else
            {
                matchesNothing = true;
            }
        }

        return filters;
    }

    private void ScanSessions(MetricQuery query, Resolution resolution, long from, long to, int steps, List<(Dimension, int)> filters, Dictionary<(int, int), SessionGroup> groups)
    {
        var resident = new HashSet<(int, SessionCellKey)>();
        foreach (PartitionState state in states)
        {
            if (state.Analytics is not { } analytics)
            {
                continue;
            }

            lock (state.Gate)
            {
                foreach (KeyValuePair<SessionCellKey, SessionCell> entry in analytics.SessionCells)
                {
                    SessionCellKey key = entry.Key;
                    if (key.Resolution == resolution && key.Bucket >= from && key.Bucket < to)
                    {
                        resident.Add((state.Partition, key));
                        if (Matches(filters, key.Country, key.Device))
                        {
                            GroupOf(query, groups, key.Country, key.Device, steps).Add(StepOf(query, from, key.Bucket), entry.Value);
                        }
                    }
                }
            }
        }

        foreach (StoredSessionCell row in store.ScanSessionCells(resolution, from, to))
        {
            if (!resident.Contains((row.Partition, row.Key)) && Matches(filters, row.Key.Country, row.Key.Device))
            {
                GroupOf(query, groups, row.Key.Country, row.Key.Device, steps).Add(StepOf(query, from, row.Key.Bucket), row.Cell);
            }
        }
    }

    private void ScanPages(MetricQuery query, Resolution resolution, long from, long to, int steps, List<(Dimension, int)> filters, Dictionary<(int, int), SessionGroup> groups)
    {
        bool exit = query.Metric.Value == MetricValue.ExitPages;
        var resident = new HashSet<(int, SessionPageKey)>();
        foreach (PartitionState state in states)
        {
            if (state.Analytics is not { } analytics)
            {
                continue;
            }

            lock (state.Gate)
            {
                foreach (KeyValuePair<SessionPageKey, PageCount> entry in analytics.PageCells)
                {
                    SessionPageKey key = entry.Key;
                    if (key.Resolution == resolution && key.Exit == exit && key.Bucket >= from && key.Bucket < to)
                    {
                        resident.Add((state.Partition, key));
                        if (MatchesPage(filters, key.Page))
                        {
                            GroupOf(query, groups, key.Page, 0, steps).Add(StepOf(query, from, key.Bucket), entry.Value.Count);
                        }
                    }
                }
            }
        }

        foreach ((int partition, SessionPageKey key, long count) in store.ScanSessionPages(resolution, exit, from, to))
        {
            if (!resident.Contains((partition, key)) && MatchesPage(filters, key.Page))
            {
                GroupOf(query, groups, key.Page, 0, steps).Add(StepOf(query, from, key.Bucket), count);
            }
        }
    }

    private static bool Matches(List<(Dimension Dimension, int Id)> filters, int country, int device)
    {
        foreach ((Dimension dimension, int id) in filters)
        {
            if ((dimension == Dimension.Country ? country : device) != id)
            {
                return false;
            }
        }

        return true;
    }

    private static bool MatchesPage(List<(Dimension Dimension, int Id)> filters, int page)
    {
        foreach ((_, int id) in filters)
        {
            if (page != id)
            {
                return false;
            }
        }

        return true;
    }

    private static int StepOf(MetricQuery query, long from, long bucket) => query.StepMs == 0 ? 0 : (int)((bucket - from) / query.StepMs);

    /// <summary>The group a cell adds to: its values of the query's group_by dimensions (a, b are country/device, or page and 0).</summary>
    private static SessionGroup GroupOf(MetricQuery query, Dictionary<(int, int), SessionGroup> groups, int a, int b, int steps)
    {
        int first = 0, second = 0;
        for (int i = 0; i < query.GroupBy.Count; i++)
        {
            int value = query.GroupBy[i] == Dimension.Device ? b : a;
            if (i == 0)
            {
                first = value;
            }
            else
            {
                second = value;
            }
        }

        if (!groups.TryGetValue((first, second), out SessionGroup? group))
        {
            group = new SessionGroup(first, second, steps);
            groups.Add((first, second), group);
        }

        return group;
    }

    private MetricResult BuildResult(MetricQuery query, Resolution resolution, long from, long to, int steps, Dictionary<(int, int), SessionGroup> groups)
    {
        var ordered = new List<(SessionGroup Group, decimal Total)>(groups.Count);
        foreach (SessionGroup group in groups.Values)
        {
            ordered.Add((group, ValueOf(query, group.Total)));
        }

        if (query.GroupBy.Count == 0 && ordered.Count == 0)
        {
            ordered.Add((new SessionGroup(0, 0, steps), 0));
        }

        ordered.Sort((x, y) => y.Total != x.Total ? y.Total.CompareTo(x.Total) : Label(x.Group).CompareTo(Label(y.Group), StringComparison.Ordinal));
        if (query.Limit is int limit && ordered.Count > limit)
        {
            ordered.RemoveRange(limit, ordered.Count - limit);
        }

        var series = new List<MetricSeries>(ordered.Count);
        foreach ((SessionGroup group, decimal total) in ordered)
        {
            var labels = new Dictionary<string, string?>();
            for (int i = 0; i < query.GroupBy.Count; i++)
            {
                int id = i == 0 ? group.A : group.B;
                labels[query.GroupBy[i].Name()] = id == DimensionDictionary.Empty ? null : dictionary.GetString(id);
            }

            List<(long, decimal)>? points = null;
            if (steps > 0)
            {
                points = new List<(long, decimal)>(steps);
                for (int s = 0; s < steps; s++)
                {
                    points.Add((from + (s * query.StepMs), ValueOf(query, group.Points![s])));
                }
            }

            series.Add(new MetricSeries { Group = labels, Total = total, Points = points });
        }

        return new MetricResult
        {
            Metric = query.Metric.Name,
            From = from,
            To = to,
            Step = query.StepName,
            Resolution = resolution.Name(),
            Watermark = watermark(),
            Stat = query.Stat,
            Series = series,
        };
    }

    private string Label(SessionGroup group) => $"{dictionary.GetString(group.A)}\u0001{dictionary.GetString(group.B)}";

    private static decimal ValueOf(MetricQuery query, SessionCell cell) => query.Metric.Value switch
    {
        MetricValue.SessionsStarted => cell.Started,
        MetricValue.BounceRate => cell.Ended == 0 ? 0 : Math.Round((decimal)cell.Bounces / cell.Ended, 6),
        MetricValue.SessionDurationSeconds => Statistic(cell.DurationSeconds, query.Quantile),
        MetricValue.PagesPerSession => Statistic(cell.Pages, query.Quantile),
        _ => cell.Started, // entry and exit page counts are kept in Started (see SessionGroup.Add(int, long))
    };

    private static decimal Statistic(DDSketch sketch, double quantile)
    {
        if (sketch.Count == 0)
        {
            return 0;
        }

        double value = quantile switch
        {
            MetricQuery.Avg => sketch.Average,
            0 => sketch.Min,
            1 => sketch.Max,
            _ => sketch.Quantile(quantile),
        };
        return Math.Round((decimal)value, 3);
    }

    /// <summary>One group's merged session aggregates over the range and per step.</summary>
    private sealed class SessionGroup(int a, int b, int steps)
    {
        public int A { get; } = a;
        public int B { get; } = b;
        public SessionCell Total { get; } = new();
        public SessionCell[]? Points { get; } = steps == 0 ? null : CreatePoints(steps);

        public void Add(int step, SessionCell cell)
        {
            Total.Merge(cell);
            Points?[step].Merge(cell);
        }

        public void Add(int step, long count)
        {
            Total.Started += count;
            if (Points is not null)
            {
                Points[step].Started += count;
            }
        }

        private static SessionCell[] CreatePoints(int steps)
        {
            var points = new SessionCell[steps];
            for (int i = 0; i < steps; i++)
            {
                points[i] = new SessionCell();
            }

            return points;
        }
    }
}
