using Pulse.Processing.Aggregation;

namespace Pulse.Query;

public enum MetricKind
{
    Count,
    Sum,
    Unique,
}

/// <summary>Which stored value a count/sum metric adds up.</summary>
public enum MetricValue
{
    Count,
    RevenueMicros,
    Late,
}

/// <summary>A metric the query API serves: how it is computed from the cuboids and which dimensions it offers.</summary>
public sealed record MetricDefinition(string Name, MetricKind Kind, MetricValue Value, Dimension Dimensions, string? TypeFilter, string Description)
{
    public string KindName => Kind switch
    {
        MetricKind.Count => "count",
        MetricKind.Sum => "sum",
        _ => "unique",
    };
}
