using Pulse.Hosting;
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
        v1.MapGet("/realtime", (PulseEngine engine) => new JsonResult(200, w => JsonOutput.WriteRealtime(w, engine.Realtime.Current()))).WithName("Realtime");
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
            MetricResult result = engine.Queries.Execute(query);
            return new JsonResult(200, w => JsonOutput.WriteMetricResult(w, result));
        }
        catch (QueryException ex)
        {
            return Problems.Create(ex.Status, "Invalid query", ex.Message);
        }
    }
}
