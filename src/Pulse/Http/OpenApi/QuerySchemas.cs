using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Pulse.Http.OpenApi;

// The shapes of the query endpoints' JSON, for the OpenAPI document only (see IngestSchemas.cs).

public sealed record MetricInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("kind"), Description("count, unique, sum, ...")] string Kind,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("dimensions")] IReadOnlyList<string> Dimensions,
    [property: JsonPropertyName("user_defined"), Description("Present (true) on metrics defined with PUT /v1/definitions/{name}.")] bool? UserDefined = null,
    [property: JsonPropertyName("pattern"), Description("Present (true) on a pattern's match count.")] bool? Pattern = null);

public sealed record MetricList([property: JsonPropertyName("metrics")] IReadOnlyList<MetricInfo> Metrics);

public sealed record MetricSeriesDocument(
    [property: JsonPropertyName("group"), Description("Dimension -> value; {} without group_by.")] Dictionary<string, string?> Group,
    [property: JsonPropertyName("total"), Description("Over the whole range; unique counts are merged, never summed.")] decimal Total,
    [property: JsonPropertyName("points"), Description("[epoch ms, value] per step; only when step is given.")] IReadOnlyList<decimal[]>? Points = null);

public sealed record MetricQueryResponse(
    [property: JsonPropertyName("metric")] string Metric,
    [property: JsonPropertyName("from"), Description("Epoch ms, widened to the resolution's boundaries.")] long From,
    [property: JsonPropertyName("to"), Description("Epoch ms, exclusive.")] long To,
    [property: JsonPropertyName("step")] string? Step,
    [property: JsonPropertyName("resolution"), Description("The rollup that answered: 1s, 1m, 1h or 1d.")] string Resolution,
    [property: JsonPropertyName("series")] IReadOnlyList<MetricSeriesDocument> Series,
    [property: JsonPropertyName("watermark"), Description("Epoch ms: buckets ending before it are final.")] long? Watermark = null,
    [property: JsonPropertyName("stat"), Description("Distribution metrics: the statistic answered (p50 by default).")] string? Stat = null,
    [property: JsonPropertyName("capped"), Description("Present (true) when a user metric's group cap was reached: the rest are in the group \"(other)\".")] bool? Capped = null);

public sealed record TopEntryDocument(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("value")] decimal Value);

public sealed record PipelineDocument(
    [property: JsonPropertyName("ingest_per_second")] long IngestPerSecond,
    [property: JsonPropertyName("lag_events")] long LagEvents,
    [property: JsonPropertyName("watermark_delay_ms")] long WatermarkDelayMs,
    [property: JsonPropertyName("freshness_p99_ms")] double FreshnessP99Ms,
    [property: JsonPropertyName("checkpoint_age_ms")] long CheckpointAgeMs,
    [property: JsonPropertyName("checkpoint_duration_ms")] double CheckpointDurationMs,
    [property: JsonPropertyName("checkpoint_rows")] int CheckpointRows,
    [property: JsonPropertyName("checkpoint_lock_ms")] double CheckpointLockMs);

[Description("The live snapshot, rebuilt every 50 ms while it is read.")]
public sealed record RealtimeResponse(
    [property: JsonPropertyName("ts")] long Ts,
    [property: JsonPropertyName("events_per_second")] long EventsPerSecond,
    [property: JsonPropertyName("events_last_minute")] long EventsLastMinute,
    [property: JsonPropertyName("active_users_5m")] long ActiveUsers5m,
    [property: JsonPropertyName("revenue_last_hour")] decimal RevenueLastHour,
    [property: JsonPropertyName("by_type")] Dictionary<string, long> ByType,
    [property: JsonPropertyName("top_pages")] IReadOnlyList<TopEntryDocument> TopPages,
    [property: JsonPropertyName("top_products")] IReadOnlyList<TopEntryDocument> TopProducts,
    [property: JsonPropertyName("pipeline")] PipelineDocument Pipeline);
