using System.Text;

namespace Pulse.Metrics;

/// <summary><c>GET /metrics</c>: the Prometheus text exposition of every Pulse instrument.</summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static void MapMetrics(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, WriteAsync).WithName("PrometheusMetrics")
            .WithTags("Operations")
            .WithSummary("Prometheus metrics")
            .WithDescription("The text exposition of every pulse_* instrument; open unless Pulse:Auth:MetricsRequireKey is true.")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
    }

    private static async Task WriteAsync(HttpContext context, MetricsCollector collector)
    {
        var text = new StringBuilder(32 * 1024);
        collector.Write(text);
        context.Response.ContentType = PrometheusTextWriter.ContentType;
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(text.ToString(), Encoding.UTF8, context.RequestAborted);
    }
}
