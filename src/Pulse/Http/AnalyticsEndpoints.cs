using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Pulse.Analytics;
using Pulse.Hosting;
using Pulse.Http.OpenApi;
using Pulse.Query;

namespace Pulse.Http;

/// <summary>The analytics API: funnels, pattern matches and anomalies.</summary>
public static class AnalyticsEndpoints
{
    public static void MapAnalytics(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder v1 = app.MapGroup("/v1");
        v1.MapGet("/funnels/{name}", QueryFunnel).WithName("QueryFunnel")
            .WithTags(ApiDocs.QueryTag)
            .WithSummary("Query a funnel")
            .WithDescription("Users and sessions reaching each step, in order within one session, of the funnels entered in the range; conversion is step to step, overall is from the first step.")
            .Produces<FunnelResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesReadProblems();
        v1.MapGet("/patterns/{name}/matches", QueryMatches).WithName("QueryPatternMatches")
            .WithTags(ApiDocs.QueryTag)
            .WithSummary("Matches of a pattern")
            .WithDescription("Each match once, newest first, with the time it became certain (event time).")
            .Produces<MatchesResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesReadProblems();
        v1.MapGet("/anomalies", QueryAnomalies).WithName("QueryAnomalies")
            .WithTags(ApiDocs.QueryTag)
            .WithSummary("Detected anomalies")
            .WithDescription("Final per-second and per-minute buckets of events by type, revenue, orders and late_events that their adaptive, seasonal baseline does not explain; newest first.")
            .Produces<AnomaliesResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesReadProblems();
    }

    private static IResult QueryAnomalies(
        PulseEngine engine,
        [FromQuery, Description("Start, RFC 3339 or epoch ms; default a day ago.")] string? from,
        [FromQuery, Description("End (exclusive), RFC 3339 or epoch ms; default now.")] string? to,
        [FromQuery, Description("Only this metric: events, revenue, orders or late_events.")] string? metric,
        [FromQuery, Description("Most anomalies returned, newest first (1–10000, default 100).")] string? limit)
    {
        try
        {
            (long fromMs, long toMs) = Range(engine, from, to, 86_400_000);
            int n = ParseLimit(limit);
            string[] watched = [.. engine.Anomalies?.MetricNames ?? []];
            if (metric is not null && !watched.Contains(metric))
            {
                throw new QueryException($"'metric' must be one of the watched metrics, {string.Join(", ", watched)} (got '{metric}'); Pulse:Anomalies:Series sets them.");
            }

            List<Pulse.Store.StoredAnomaly> anomalies = engine.Store.ScanAnomalies(fromMs, toMs, metric, n);
            return new JsonResult(200, w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("anomalies"u8);
                foreach (Pulse.Store.StoredAnomaly anomaly in anomalies)
                {
                    WriteAnomaly(w, anomaly);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
        }
        catch (QueryException ex)
        {
            return Problems.Create(ex.Status, "Invalid query", ex.Message);
        }
    }

    public static void WriteAnomaly(Utf8JsonWriter w, Pulse.Store.StoredAnomaly a)
    {
        w.WriteStartObject();
        w.WriteNumber("ts"u8, a.TimeMs);
        w.WriteString("resolution"u8, a.WidthMs == 1000 ? "1s" : "1m");
        w.WriteString("metric"u8, a.Metric);
        w.WriteStartObject("group"u8);
        if (a.GroupName is not null)
        {
            w.WriteString(a.GroupName, a.GroupValue);
        }

        w.WriteEndObject();
        w.WriteNumber("value"u8, a.Value);
        w.WriteNumber("expected"u8, a.Expected);
        w.WriteNumber("score"u8, a.Score);
        w.WriteString("severity"u8, a.Severity);
        w.WriteEndObject();
    }

    private static int ParseLimit(string? limit)
    {
        int n = 100;
        return limit is null || (int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out n) && n >= 1 && n <= 10_000)
            ? n
            : throw new QueryException($"'limit' must be an integer from 1 to 10000 (got '{limit}').");
    }

    private static IResult QueryFunnel(
        [Description("A funnel name, e.g. checkout.")] string name,
        PulseEngine engine,
        [FromQuery, Description("Start, RFC 3339 or epoch ms; default a day ago.")] string? from,
        [FromQuery, Description("End (exclusive), RFC 3339 or epoch ms; default now.")] string? to)
    {
        try
        {
            (long fromMs, long toMs) = Range(engine, from, to, 86_400_000);
            if (engine.Funnels.Execute(name, fromMs, toMs) is not { } result)
            {
                return Problems.Create(404, "Unknown funnel", $"There is no funnel '{name}'. Known funnels: {string.Join(", ", engine.Funnels.Funnels.Select(f => f.Name))}.");
            }

            return new JsonResult(200, w => WriteFunnel(w, result));
        }
        catch (QueryException ex)
        {
            return Problems.Create(ex.Status, "Invalid query", ex.Message);
        }
    }

    private static IResult QueryMatches(
        [Description("A pattern name, e.g. cart_abandonment.")] string name,
        PulseEngine engine,
        [FromQuery, Description("Start, RFC 3339 or epoch ms; default a day ago.")] string? from,
        [FromQuery, Description("End (exclusive), RFC 3339 or epoch ms; default now.")] string? to,
        [FromQuery, Description("Most matches returned, newest first (1–10000, default 100).")] string? limit)
    {
        try
        {
            if (!engine.Definitions.Current.HasPattern(name))
            {
                return Problems.Create(404, "Unknown pattern", $"There is no pattern '{name}'. Known patterns: {string.Join(", ", engine.Definitions.Current.PatternNames)}.");
            }

            (long fromMs, long toMs) = Range(engine, from, to, 86_400_000);
            int n = ParseLimit(limit);

            List<PatternMatchRecord> matches = engine.Matches.Execute(name, fromMs, toMs, n);
            return new JsonResult(200, w => WriteMatches(w, name, matches));
        }
        catch (QueryException ex)
        {
            return Problems.Create(ex.Status, "Invalid query", ex.Message);
        }
    }

    private static (long From, long To) Range(PulseEngine engine, string? from, string? to, long defaultSpanMs)
    {
        long toMs = to is null ? engine.Clock.GetUtcNow().ToUnixTimeMilliseconds() : MetricQuery.ParseTime(to, "to");
        long fromMs = from is null ? toMs - defaultSpanMs : MetricQuery.ParseTime(from, "from");
        return fromMs < toMs ? (fromMs, toMs) : throw new QueryException($"'from' ({fromMs}) must be before 'to' ({toMs}).");
    }

    private static void WriteFunnel(Utf8JsonWriter w, FunnelResult result)
    {
        w.WriteStartObject();
        w.WriteString("name"u8, result.Name);
        w.WriteNumber("from"u8, result.From);
        w.WriteNumber("to"u8, result.To);
        w.WriteString("resolution"u8, result.Resolution);
        w.WriteStartArray("steps"u8);
        foreach (FunnelStepResult step in result.Steps)
        {
            w.WriteStartObject();
            w.WriteString("name"u8, step.Name);
            w.WriteNumber("users"u8, step.Users);
            w.WriteNumber("sessions"u8, step.Sessions);
            w.WriteNumber("conversion"u8, step.Conversion);
            w.WriteNumber("overall"u8, step.Overall);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void WriteMatch(Utf8JsonWriter w, PatternMatchRecord match)
    {
        w.WriteStartObject();
        w.WriteString("pattern"u8, match.Pattern);
        w.WriteNumber("ts"u8, match.TimeMs);
        w.WriteNumber("first_ts"u8, match.FirstTimeMs);
        w.WriteString("user_id"u8, match.UserId);
        w.WriteString("session_id"u8, match.SessionId);
        w.WritePropertyName("details"u8);
        w.WriteRawValue(match.DetailsJson, skipInputValidation: true);
        w.WriteEndObject();
    }

    private static void WriteMatches(Utf8JsonWriter w, string pattern, List<PatternMatchRecord> matches)
    {
        w.WriteStartObject();
        w.WriteString("pattern"u8, pattern);
        w.WriteStartArray("matches"u8);
        foreach (PatternMatchRecord match in matches)
        {
            WriteMatch(w, match);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
