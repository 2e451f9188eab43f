using System.Buffers;
using System.IO.Pipelines;

namespace Pulse.Bench;

/// <summary>
/// The bare-Kestrel ceiling (<c>pulse bench sink</c>): POST /v1/events reads the whole body,
/// counts its lines and answers 202 with the same response shape as Pulse, and nothing else —
/// so load against it measures HTTP and the client, not the engine.
/// </summary>
internal static class SinkServer
{
    public static async Task RunAsync(string urls, CancellationToken cancellationToken)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 10 * 1024 * 1024;
        });
        WebApplication app = builder.Build();
        app.MapPost("/v1/events", AcceptAsync);
        // The floor of a small GET round trip, beside /v1/realtime's latency.
        app.MapGet("/v1/realtime", (HttpContext context) => WriteAsync(context, 200, "{\"ts\":0}"u8.ToArray()));
        app.MapGet("/health/ready", (HttpContext context) => WriteAsync(context, 200, "{\"status\":\"Healthy\"}"u8.ToArray()));
        await app.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task AcceptAsync(HttpContext context)
    {
        PipeReader body = context.Request.BodyReader;
        long lines = 0;
        while (true)
        {
            ReadResult read = await body.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            foreach (ReadOnlyMemory<byte> segment in read.Buffer)
            {
                lines += segment.Span.Count((byte)'\n');
            }

            body.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }

        byte[] response = System.Text.Encoding.ASCII.GetBytes($"{{\"accepted\":{lines},\"duplicates\":0,\"rejected\":0}}");
        await WriteAsync(context, 202, response).ConfigureAwait(false);
    }

    private static Task WriteAsync(HttpContext context, int status, byte[] json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = json.Length;
        return context.Response.Body.WriteAsync(json, 0, json.Length, context.RequestAborted);
    }
}
