using System.Globalization;
using Pulse.Processing.Aggregation;

namespace Pulse.Query;

/// <summary>A parsed <c>GET /v1/metrics/{name}</c> request.</summary>
public sealed class MetricQuery
{
    public static readonly IReadOnlyList<(string Name, long Ms)> Steps =
    [
        ("1s", 1_000), ("10s", 10_000), ("1m", 60_000), ("5m", 300_000), ("1h", 3_600_000), ("1d", 86_400_000),
    ];

    public required MetricDefinition Metric { get; init; }
    public long From { get; init; }
    public long To { get; init; }

    /// <summary>0 when no step was given: one value for the whole range.</summary>
    public long StepMs { get; init; }

    public string? StepName { get; init; }
    public IReadOnlyList<Dimension> GroupBy { get; init; } = [];
    public IReadOnlyList<(Dimension Dimension, string Value)> Filters { get; init; } = [];
    public int? Limit { get; init; }

    /// <summary>The statistic of a distribution metric as asked (<c>p50</c> by default), else null.</summary>
    public string? Stat { get; init; }

    /// <summary>The statistic as a quantile in [0, 1] (min 0, max 1), or <see cref="Avg"/>.</summary>
    public double Quantile { get; init; } = 0.5;

    /// <summary>Forces a resolution (internal callers such as the realtime snapshot); null lets the planner choose.</summary>
    public Resolution? Resolution { get; init; }

    public static MetricQuery Parse(
        MetricDefinition metric, string? from, string? to, string? step, IEnumerable<string?> groupBy,
        IEnumerable<string?> filters, string? limit, string? stat, long nowMs)
    {
        double quantile = ParseStat(metric, stat);

        long toMs = to is null ? nowMs : ParseTime(to, "to");
        long fromMs = from is null ? toMs - 3_600_000 : ParseTime(from, "from");
        if (fromMs >= toMs)
        {
            throw new QueryException($"'from' ({fromMs}) must be before 'to' ({toMs}).");
        }

        long stepMs = 0;
        if (step is not null)
        {
            foreach ((string name, long ms) in Steps)
            {
                if (name == step)
                {
                    stepMs = ms;
                }
            }

            if (stepMs == 0)
            {
                throw new QueryException($"'step' must be one of 1s, 10s, 1m, 5m, 1h, 1d (got '{step}').");
            }

            if ((toMs - fromMs) / stepMs > 100_000)
            {
                throw new QueryException($"The range holds more than 100000 steps of {step}; use a larger step or a shorter range.");
            }
        }

        var dims = new List<Dimension>();
        foreach (string? list in groupBy)
        {
            foreach (string part in (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                Dimension d = ParseDimension(metric, part, "group_by");
                if (!dims.Contains(d))
                {
                    dims.Add(d);
                }
            }
        }

        if (dims.Count > 3)
        {
            throw new QueryException("'group_by' takes at most 3 dimensions.");
        }

        var parsedFilters = new List<(Dimension, string)>();
        foreach (string? f in filters)
        {
            int colon = f?.IndexOf(':', StringComparison.Ordinal) ?? -1;
            if (f is null || colon <= 0)
            {
                throw new QueryException($"'filter' must be 'dimension:value' (got '{f}').");
            }

            parsedFilters.Add((ParseDimension(metric, f[..colon], "filter"), f[(colon + 1)..]));
        }

        int? top = null;
        if (limit is not null)
        {
            if (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1 || n > 10_000)
            {
                throw new QueryException($"'limit' must be an integer from 1 to 10000 (got '{limit}').");
            }

            top = n;
        }

        return new MetricQuery
        {
            Metric = metric,
            From = fromMs,
            To = toMs,
            StepMs = stepMs,
            StepName = step,
            GroupBy = dims,
            Filters = parsedFilters,
            Limit = top,
            Stat = stat ?? (metric.Kind == MetricKind.Distribution ? "p50" : null),
            Quantile = quantile,
        };
    }

    private static readonly IReadOnlyList<(string Name, double Quantile)> Stats =
    [
        ("p50", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99), ("avg", Avg), ("min", 0), ("max", 1),
    ];

    /// <summary>Stands for <c>stat=avg</c> in <see cref="Quantile"/>.</summary>
    public const double Avg = -1;

    private static double ParseStat(MetricDefinition metric, string? stat)
    {
        if (metric.Kind != MetricKind.Distribution)
        {
            return stat is null
                ? 0.5
                : throw new QueryException($"'stat' applies to distribution metrics; '{metric.Name}' is a {metric.KindName} metric.");
        }

        foreach ((string name, double q) in Stats)
        {
            if (name == (stat ?? "p50"))
            {
                return q;
            }
        }

        throw new QueryException($"'stat' must be one of p50, p90, p95, p99, avg, min, max (got '{stat}').");
    }

    private static Dimension ParseDimension(MetricDefinition metric, string name, string parameter)
    {
        if (!Dimensions.TryParse(name, out Dimension d) || (metric.Dimensions & d) == 0)
        {
            var allowed = new List<string>();
            foreach (Dimension each in Dimensions.Each)
            {
                if ((metric.Dimensions & each) != 0)
                {
                    allowed.Add(each.Name());
                }
            }

            throw new QueryException($"'{parameter}': '{name}' is not a dimension of '{metric.Name}' (its dimensions: {string.Join(", ", allowed)}).");
        }

        return d;
    }

    /// <summary>RFC 3339 or epoch milliseconds.</summary>
    public static long ParseTime(string value, string parameter)
    {
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long ms))
        {
            return ms;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset time))
        {
            return time.ToUnixTimeMilliseconds();
        }

        throw new QueryException($"'{parameter}' must be an RFC 3339 time or epoch milliseconds (got '{value}').");
    }
}
