namespace Pulse.Query;

/// <summary>One group's values: the total over the range and, when a step was asked, one point per step.</summary>
public sealed class MetricSeries
{
    public required IReadOnlyDictionary<string, string?> Group { get; init; }
    public required decimal Total { get; init; }

    /// <summary>(step start, value) pairs, or null without a step.</summary>
    public IReadOnlyList<(long Ts, decimal Value)>? Points { get; init; }
}

/// <summary>The answer to a metric query, in the contract's shape.</summary>
public sealed class MetricResult
{
    public required string Metric { get; init; }
    public required long From { get; init; }
    public required long To { get; init; }
    public string? Step { get; init; }

    /// <summary>The rollup resolution that answered (extension to the contract, for transparency).</summary>
    public required string Resolution { get; init; }

    /// <summary>Buckets ending at or before this are final (extension to the contract).</summary>
    public long Watermark { get; init; }

    /// <summary>The statistic of a distribution metric (extension to the contract).</summary>
    public string? Stat { get; init; }

    /// <summary>Some group had more values than its metric keeps per bucket: the rest are in the group "(other)" (extension to the contract).</summary>
    public bool Capped { get; init; }

    public required IReadOnlyList<MetricSeries> Series { get; init; }
}
