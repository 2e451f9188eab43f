using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pulse.Tests.Generate;

/// <summary>
/// A real Kestrel endpoint on 127.0.0.1 that speaks POST /v1/events: it dedupes by event_id and
/// answers 202 with counts; the first <c>unavailableRequests</c> requests get 503 with Retry-After.
/// It records every body so tests can compare retries byte for byte.
/// </summary>
internal sealed class FakeIngestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HashSet<string> _eventIds = [];
    private readonly Lock _lock = new();
    private int _unavailableLeft;

    private FakeIngestServer(WebApplication app, int unavailableRequests)
    {
        _app = app;
        _unavailableLeft = unavailableRequests;
    }

    public List<byte[]> Bodies { get; } = [];

    public List<string?> Authorizations { get; } = [];

    public List<DateTime> ArrivalTimes { get; } = [];

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<FakeIngestServer> StartAsync(int unavailableRequests)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options => options.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        var server = new FakeIngestServer(app, unavailableRequests);
        app.MapPost("/v1/events", server.HandleAsync);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address);
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        byte[] body = buffer.ToArray();
        long accepted = 0, duplicates = 0;
        bool unavailable;
        lock (_lock)
        {
            Bodies.Add(body);
            Authorizations.Add(context.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null);
            ArrivalTimes.Add(DateTime.UtcNow);
            unavailable = _unavailableLeft > 0;
            if (unavailable)
            {
                _unavailableLeft--;
            }
            else
            {
                Assert.Equal("application/x-ndjson", context.Request.ContentType);
                foreach (string line in Encoding.UTF8.GetString(body).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    using JsonDocument doc = JsonDocument.Parse(line);
                    if (_eventIds.Add(doc.RootElement.GetProperty("event_id").GetString()!))
                    {
                        accepted++;
                    }
                    else
                    {
                        duplicates++;
                    }
                }
            }
        }

        if (unavailable)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
            return;
        }

        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync($"{{\"accepted\":{accepted},\"duplicates\":{duplicates},\"rejected\":0,\"errors\":[]}}");
    }

    public int UniqueEvents
    {
        get
        {
            lock (_lock)
            {
                return _eventIds.Count;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
