using System.ComponentModel;
using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Pulse.Hosting;
using Pulse.Http.OpenApi;
using Pulse.Metrics;
using Pulse.Query;

namespace Pulse.Http;

/// <summary>The query API: metric catalogue, metric series and the realtime snapshot.</summary>
public static class QueryEndpoints
{
    public static void MapQueries(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder v1 = app.MapGroup("/v1");
        v1.MapGet("/metrics", (PulseEngine engine) => new JsonResult(200, w => JsonOutput.WriteMetrics(w, MetricCatalog.BuiltIn, engine.Definitions.Current.Metrics, engine.Definitions.Current.PatternNames))).WithName("ListMetrics")
            .WithTags(ApiDocs.QueryTag)
            .WithSummary("List the metrics")
            .WithDescription("Every metric with its kind and the dimensions it can be grouped and filtered by.")
            .Produces<MetricList>()
            .ProducesReadProblems();
        v1.MapGet("/metrics/{name}", QueryMetric).WithName("QueryMetric")
            .WithTags(ApiDocs.QueryTag)
            .WithSummary("Query a metric")
            .WithDescription("A metric over a time range: one total per group, and points per step when a step is given. The range is widened to the boundaries of the rollup that answers it.")
            .Produces<MetricQueryResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesReadProblems();
        v1.MapGet("/realtime", Realtime).WithName("Realtime")
            .WithTags(ApiDocs.QueryTag)
            .WithSummary("The live snapshot")
            .WithDescription("Events per second, the last minute, active users, revenue in the last hour, top pages and products, and the pipeline's health; the same data WS /v1/live pushes.")
            .Produces<RealtimeResponse>()
            .ProducesReadProblems();
    }

    private static readonly KeyValuePair<string, object?> MetricEndpoint = new("endpoint", "metric");
    private static readonly KeyValuePair<string, object?> RealtimeEndpoint = new("endpoint", "realtime");

    private static JsonResult Realtime(PulseEngine engine)
    {
        long started = Stopwatch.GetTimestamp();
        Pulse.Query.RealtimeSnapshot snapshot = engine.Realtime.Current();
        ServerInstruments.QuerySeconds.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, RealtimeEndpoint);
        return new JsonResult(200, w => JsonOutput.WriteRealtime(w, snapshot));
    }

    /// <summary>A pattern's matches, counted like a metric (no dimensions).</summary>
    private static IResult QueryPatternCount(
        string name, PulseEngine engine, string? from, string? to, string? step, string[]? groupBy, string[]? filter, string? limit, string? stat)
    {
        try
        {
            if (groupBy is { Length: > 0 } || filter is { Length: > 0 } || limit is not null || stat is not null)
            {
                throw new QueryException($"'{name}' counts the matches of a pattern: it takes from, to and step only (GET /v1/patterns/{name}/matches lists them).");
            }

            long toMs = to is null ? engine.Clock.GetUtcNow().ToUnixTimeMilliseconds() : MetricQuery.ParseTime(to, "to");
            long fromMs = from is null ? toMs - 3_600_000 : MetricQuery.ParseTime(from, "from");
            long stepMs = 0;
            foreach ((string stepName, long ms) in MetricQuery.Steps)
            {
                stepMs = stepName == step ? ms : stepMs;
            }

            if ((step is not null && stepMs == 0) || fromMs >= toMs || (stepMs > 0 && (toMs - fromMs) / stepMs > 100_000))
            {
                throw new QueryException(fromMs >= toMs ? $"'from' ({fromMs}) must be before 'to' ({toMs})." : $"'step' must be one of 1s, 10s, 1m, 5m, 1h, 1d with at most 100000 steps in the range (got '{step}').");
            }

            MetricResult result = engine.Matches.Count(name, fromMs, toMs, stepMs, step, engine.GlobalWatermarkMs());
            return new JsonResult(200, w => JsonOutput.WriteMetricResult(w, result));
        }
        catch (QueryException ex)
        {
            return Problems.Create(ex.Status, "Invalid query", ex.Message);
        }
    }

    private static IResult QueryMetric(
        [Description("A metric name from GET /v1/metrics.")] string name,
        PulseEngine engine,
        [FromQuery, Description("Start, RFC 3339 or epoch ms; default an hour ago.")] string? from,
        [FromQuery, Description("End (exclusive), RFC 3339 or epoch ms; default now.")] string? to,
        [FromQuery, Description("1s, 10s, 1m, 5m, 1h or 1d; omitted: one value for the whole range.")] string? step,
        [FromQuery(Name = "group_by"), Description("Comma-separated dimensions, at most 3.")] string[]? groupBy,
        [FromQuery, Description("dimension:value, repeatable; all must hold.")] string[]? filter,
        [FromQuery, Description("The top N groups by total, largest first.")] string? limit,
        [FromQuery, Description("For distribution metrics: p50, p90, p95, p99, avg, min or max (default p50).")] string? stat)
    {
        MetricDefinition? metric = MetricCatalog.Find(name);
        Pulse.Analytics.Metrics.UserMetric? userMetric = metric is null ? engine.Definitions.Current.FindMetric(name) : null;
        if (metric is null && userMetric is null)
        {
            return engine.Definitions.Current.HasPattern(name)
                ? QueryPatternCount(name, engine, from, to, step, groupBy, filter, limit, stat)
                : Problems.Create(404, "Unknown metric", $"There is no metric '{name}'. GET /v1/metrics lists them.");
        }

        try
        {
            if (userMetric is not null)
            {
                long begun = Stopwatch.GetTimestamp();
                MetricResult answer = engine.UserMetrics.Execute(
                    userMetric, from, to, step, groupBy ?? [], filter ?? [], limit, stat, engine.Clock.GetUtcNow().ToUnixTimeMilliseconds());
                ServerInstruments.QuerySeconds.Record(Stopwatch.GetElapsedTime(begun).TotalSeconds, MetricEndpoint);
                return new JsonResult(200, w => JsonOutput.WriteMetricResult(w, answer));
            }

            MetricQuery query = MetricQuery.Parse(
                metric!, from, to, step, groupBy ?? [], filter ?? [], limit, stat,
                TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds());
            long started = Stopwatch.GetTimestamp();
            MetricResult result = engine.Queries.Execute(query);
            ServerInstruments.QuerySeconds.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, MetricEndpoint);
            return new JsonResult(200, w => JsonOutput.WriteMetricResult(w, result));
        }
        catch (QueryException ex)
        {
            return Problems.Create(ex.Status, "Invalid query", ex.Message);
        }
    }
}
