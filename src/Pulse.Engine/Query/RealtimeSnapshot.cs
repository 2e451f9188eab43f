namespace Pulse.Query;

/// <summary>A key and its value in a top list.</summary>
public sealed record TopEntry(string Key, decimal Value);

/// <summary>Health of the pipeline as the realtime snapshot reports it.</summary>
public sealed class PipelineStatus
{
    public long IngestPerSecond { get; init; }
    public long LagEvents { get; init; }
    public long WatermarkDelayMs { get; init; }
    public double FreshnessP99Ms { get; init; }

    /// <summary>Extension: age of the last committed checkpoint.</summary>
    public long CheckpointAgeMs { get; init; }

    /// <summary>Extension: how long the last checkpoint took, and how many rows it wrote.</summary>
    public double CheckpointDurationMs { get; init; }

    public int CheckpointRows { get; init; }

    /// <summary>Extension: how long the last checkpoint held partition locks (that partition's processing waits meanwhile).</summary>
    public double CheckpointLockMs { get; init; }
}

/// <summary>The contract's <c>GET /v1/realtime</c> document.</summary>
public sealed class RealtimeSnapshot
{
    public long Ts { get; init; }
    public long EventsPerSecond { get; init; }
    public long EventsLastMinute { get; init; }
    public long ActiveUsers5m { get; init; }
    public decimal RevenueLastHour { get; init; }
    public required IReadOnlyDictionary<string, long> ByType { get; init; }
    public required IReadOnlyList<TopEntry> TopPages { get; init; }
    public required IReadOnlyList<TopEntry> TopProducts { get; init; }
    public required PipelineStatus Pipeline { get; init; }
}
