using System.Diagnostics;
using Pulse.Hosting;
using Pulse.Metrics;
using Pulse.Query;

namespace Pulse.Http;

/// <summary>The query API: metric catalogue, metric series and the realtime snapshot.</summary>
public static class QueryEndpoints
{
    public static void MapQueries(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder v1 = app.MapGroup("/v1");
        v1.MapGet("/metrics", () => new JsonResult(200, w => JsonOutput.WriteMetrics(w, MetricCatalog.BuiltIn))).WithName("ListMetrics");
        v1.MapGet("/metrics/{name}", QueryMetric).WithName("QueryMetric");
        v1.MapGet("/realtime", Realtime).WithName("Realtime");
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

    private static IResult QueryMetric(string name, HttpRequest request, PulseEngine engine)
    {
        MetricDefinition? metric = MetricCatalog.Find(name);
        if (metric is null)
        {
            return Problems.Create(404, "Unknown metric", $"There is no metric '{name}'. GET /v1/metrics lists them.");
        }

        IQueryCollection q = request.Query;
        try
        {
            MetricQuery query = MetricQuery.Parse(
                metric, q["from"], q["to"], q["step"], q["group_by"], q["filter"], q["limit"], q["stat"],
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
