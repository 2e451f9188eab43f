using Pulse.Processing.Aggregation;

namespace Pulse.Query;

/// <summary>
/// Assembles the live snapshot in the background every <see cref="MaxAge"/> while anyone asks for
/// it, so a request only ever reads the shared copy: any number of dashboards and sockets cost one
/// computation, and none of them waits for it. After a quiet spell the first request computes it.
/// Windows are by event time relative to now: per-second rollups for the last second, minute and
/// 5 minutes; minute rollups for the last hour and the top lists (this minute and the four before).
/// </summary>
public sealed class RealtimeService(QueryEngine engine, TimeProvider clock, Func<PipelineStatus> pipeline)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(50);

    /// <summary>Background refreshing stops this long after the last request.</summary>
    private const long DemandWindowMs = 10_000;

    private readonly Lock _gate = new();
    private RealtimeSnapshot? _cached;
    private long _lastDemandMs = long.MinValue;
    private long _usersSecond = long.MinValue;
    private long _usersActive;

    public RealtimeSnapshot Current()
    {
        long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        long previousDemand = Interlocked.Exchange(ref _lastDemandMs, now);
        RealtimeSnapshot? cached = Volatile.Read(ref _cached);
        // While there has been demand the refresher keeps the copy within MaxAge, or as close as
        // an overloaded node manages: requests then take the copy (its ts says how old it is)
        // rather than queue behind a computation that waits for the partitions. After a quiet
        // spell the refresher was idle and the first request computes a fresh one.
        bool refresherActive = now - previousDemand < DemandWindowMs;
        return cached is not null && (now - cached.Ts < 1000 || (refresherActive && now - cached.Ts < DemandWindowMs)) ? cached : Refresh();
    }

    /// <summary>The refresher's loop, on a dedicated thread.</summary>
    public void Run(CancellationToken cancellationToken)
    {
        while (!cancellationToken.WaitHandle.WaitOne(MaxAge))
        {
            if (clock.GetUtcNow().ToUnixTimeMilliseconds() - Volatile.Read(ref _lastDemandMs) < DemandWindowMs)
            {
                Refresh();
            }
        }
    }

    private RealtimeSnapshot Refresh()
    {
        lock (_gate)
        {
            RealtimeSnapshot snapshot = Compute(clock.GetUtcNow().ToUnixTimeMilliseconds());
            Volatile.Write(ref _cached, snapshot);
            return snapshot;
        }
    }

    private RealtimeSnapshot Compute(long now)
    {
        long second = QueryPlan.FloorTo(now, 1000);
        long minute = QueryPlan.FloorTo(now, 60_000);

        MetricResult lastSecond = Run("events", second - 1000, second, Resolution.Second);
        MetricResult lastMinute = Run("events", second - 59_000, second + 1000, Resolution.Second, groupBy: [Dimension.Type]);
        // Merging 300 seconds of sketches per partition is the costly part and a 5-minute figure
        // barely moves within a second: it is recomputed once per second.
        if (second != _usersSecond)
        {
            _usersActive = (long)Run("unique_users", second - 299_000, second + 1000, Resolution.Second).Series[0].Total;
            _usersSecond = second;
        }

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
            ActiveUsers5m = _usersActive,
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
            Metric = MetricCatalog.Find(metric)!,
            From = from,
            To = to,
            Resolution = resolution,
            GroupBy = groupBy ?? [],
            Limit = limit,
        });
}
