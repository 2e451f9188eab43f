using Pulse.Processing.Aggregation;

namespace Pulse.Query;

/// <summary>
/// Assembles the live snapshot at most once per <see cref="MaxAge"/> and shares it, so any number of
/// dashboards and sockets cost one computation. Windows are by event time relative to now:
/// per-second rollups for the last second, minute and 5 minutes; minute rollups for the last hour
/// and the top lists (the current minute and the four before it).
/// </summary>
public sealed class RealtimeService(QueryEngine engine, TimeProvider clock, Func<PipelineStatus> pipeline)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(50);

    private readonly Lock _gate = new();
    private RealtimeSnapshot? _cached;
    private long _cachedAtMs = long.MinValue;

    public RealtimeSnapshot Current()
    {
        long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        RealtimeSnapshot? cached = Volatile.Read(ref _cached);
        if (cached is not null && now - Volatile.Read(ref _cachedAtMs) < MaxAge.TotalMilliseconds)
        {
            return cached;
        }

        lock (_gate)
        {
            if (_cached is not null && now - _cachedAtMs < MaxAge.TotalMilliseconds)
            {
                return _cached;
            }

            RealtimeSnapshot snapshot = Compute(now);
            Volatile.Write(ref _cached, snapshot);
            Volatile.Write(ref _cachedAtMs, now);
            return snapshot;
        }
    }

    private RealtimeSnapshot Compute(long now)
    {
        long second = QueryPlan.FloorTo(now, 1000);
        long minute = QueryPlan.FloorTo(now, 60_000);

        MetricResult lastSecond = Run("events", second - 1000, second, Resolution.Second);
        MetricResult lastMinute = Run("events", second - 59_000, second + 1000, Resolution.Second, groupBy: [Dimension.Type]);
        MetricResult users = Run("unique_users", second - 299_000, second + 1000, Resolution.Second);
        MetricResult revenue = Run("revenue", minute - 59 * 60_000L, minute + 60_000, Resolution.Minute);
        MetricResult pages = Run("page_views", minute - 4 * 60_000L, minute + 60_000, Resolution.Minute, groupBy: [Dimension.Page], limit: 11);
        MetricResult products = Run("events", minute - 4 * 60_000L, minute + 60_000, Resolution.Minute, groupBy: [Dimension.Product], limit: 11);

        var byType = new Dictionary<string, long>();
        long lastMinuteTotal = 0;
        foreach (MetricSeries s in lastMinute.Series)
        {
            byType[s.Group["type"] ?? ""] = (long)s.Total;
            lastMinuteTotal += (long)s.Total;
        }

        return new RealtimeSnapshot
        {
            Ts = now,
            EventsPerSecond = (long)lastSecond.Series[0].Total,
            EventsLastMinute = lastMinuteTotal,
            ActiveUsers5m = (long)users.Series[0].Total,
            RevenueLastHour = revenue.Series[0].Total,
            ByType = byType,
            TopPages = Top(pages, "page"),
            TopProducts = Top(products, "product_id"),
            Pipeline = pipeline(),
        };
    }

    private static List<TopEntry> Top(MetricResult result, string dimension)
    {
        var top = new List<TopEntry>(10);
        foreach (MetricSeries s in result.Series)
        {
            // Events without the dimension (no page, no product) are not a "top" entry.
            if (s.Group[dimension] is { } key && top.Count < 10)
            {
                top.Add(new TopEntry(key, s.Total));
            }
        }

        return top;
    }

    private MetricResult Run(string metric, long from, long to, Resolution resolution, Dimension[]? groupBy = null, int? limit = null) =>
        engine.Execute(new MetricQuery
        {
            Metric = MetricCatalog.Find(metric)!, From = from, To = to, Resolution = resolution,
            GroupBy = groupBy ?? [], Limit = limit,
        });
}
