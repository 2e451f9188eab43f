using Pulse.Processing.Aggregation;

namespace Pulse.Query;

public enum MetricKind
{
    Count,
    Sum,
    Unique,

    /// <summary>A quantile sketch per bucket; queries choose the statistic with <c>stat</c>.</summary>
    Distribution,

    /// <summary>A fraction (of sessions), from 0 to 1.</summary>
    Ratio,
}

/// <summary>Which stored value a count/sum metric adds up.</summary>
public enum MetricValue
{
    Count,
    RevenueMicros,
    Late,
    SessionsStarted,
    BounceRate,
    SessionDurationSeconds,
    PagesPerSession,
    EntryPages,
    ExitPages,
}

/// <summary>A metric the query API serves: how it is computed from the cuboids and which dimensions it offers.</summary>
public sealed record MetricDefinition(string Name, MetricKind Kind, MetricValue Value, Dimension Dimensions, string? TypeFilter, string Description)
{
    public string KindName => Kind switch
    {
        MetricKind.Count => "count",
        MetricKind.Sum => "sum",
        MetricKind.Distribution => "distribution",
        MetricKind.Ratio => "ratio",
        _ => "unique",
    };

    /// <summary>Computed from sessions (see <c>Pulse.Analytics</c>) rather than from the event cuboids.</summary>
    public bool IsSessionMetric => Value >= MetricValue.SessionsStarted;
}
