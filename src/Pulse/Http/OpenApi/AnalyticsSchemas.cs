using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Pulse.Http.OpenApi;

// The shapes of the analytics endpoints' JSON, for the OpenAPI document only (see IngestSchemas.cs).

public sealed record FunnelStepDocument(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("users"), Description("Distinct users who reached the step (HyperLogLog, ≤2% error).")] long Users,
    [property: JsonPropertyName("sessions"), Description("Sessions that reached the step (exact).")] long Sessions,
    [property: JsonPropertyName("conversion"), Description("Users of this step over users of the step before it; 1 for the first step.")] double Conversion,
    [property: JsonPropertyName("overall"), Description("Users of this step over users of the first step.")] double Overall);

public sealed record FunnelResponse(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("from"), Description("Epoch ms, widened to the resolution's boundaries.")] long From,
    [property: JsonPropertyName("to"), Description("Epoch ms, exclusive.")] long To,
    [property: JsonPropertyName("resolution")] string Resolution,
    [property: JsonPropertyName("steps")] IReadOnlyList<FunnelStepDocument> Steps);

public sealed record MatchDocument(
    [property: JsonPropertyName("pattern")] string Pattern,
    [property: JsonPropertyName("ts"), Description("Epoch ms (event time) when the match became certain.")] long Ts,
    [property: JsonPropertyName("first_ts"), Description("Epoch ms of the match's first event.")] long FirstTs,
    [property: JsonPropertyName("user_id")] string UserId,
    [property: JsonPropertyName("session_id"), Description("The client's session_id, or the derived one (s + start epoch ms).")] string SessionId,
    [property: JsonPropertyName("details"), Description("Pattern-specific: events, revenue, page, product_id.")] Dictionary<string, object> Details);

public sealed record MatchesResponse(
    [property: JsonPropertyName("pattern")] string Pattern,
    [property: JsonPropertyName("matches")] IReadOnlyList<MatchDocument> Matches);

public sealed record AnomalyDocument(
    [property: JsonPropertyName("ts"), Description("Epoch ms: start of the bucket.")] long Ts,
    [property: JsonPropertyName("resolution"), Description("1s or 1m: the series' bucket width.")] string Resolution,
    [property: JsonPropertyName("metric")] string Metric,
    [property: JsonPropertyName("group"), Description("{\"type\": ...} for events by type, else {}.")] Dictionary<string, string?> Group,
    [property: JsonPropertyName("value")] double Value,
    [property: JsonPropertyName("expected"), Description("The baseline (trend and, per minute, daily seasonality).")] double Expected,
    [property: JsonPropertyName("score"), Description("Signed robust z-score: positive a spike, negative a drop.")] double Score,
    [property: JsonPropertyName("severity"), Description("warning (|score| ≥ 4) or critical (≥ 6), by default.")] string Severity);

public sealed record AnomaliesResponse([property: JsonPropertyName("anomalies")] IReadOnlyList<AnomalyDocument> Anomalies);

public sealed record DefinitionResponse(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("kind"), Description("funnel, absence, count or sequence.")] string Kind,
    [property: JsonPropertyName("builtin"), Description("Built-in definitions cannot be changed or deleted.")] bool BuiltIn,
    [property: JsonPropertyName("definition"), Description("The definition in its canonical JSON.")] Dictionary<string, object> Definition);

public sealed record DefinitionListResponse([property: JsonPropertyName("definitions")] IReadOnlyList<DefinitionResponse> Definitions);
