using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Pulse.Http;
using Pulse.Http.OpenApi;
using Pulse.Live;
using Pulse.Metrics;
using Pulse.Security;
using Pulse.Tracker;

namespace Pulse.Hosting;

/// <summary>Builds the web host around the engine: options, endpoints, health, live feed, dashboard.</summary>
public static class PulseServer
{
    /// <summary>The catch-all that serves the dashboard's client routes (and 404s for unknown server paths).</summary>
    public const string ClientRoutePattern = "{*path:nonfile}";

    private static readonly string[] ServerPrefixes = ["/v1/", "/health/", "/metrics", "/openapi/"];

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });
        configure?.Invoke(builder);

        builder.Services.AddOptions<PulseOptions>()
            .Bind(builder.Configuration.GetSection(PulseOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PulseOptions>, PulseOptionsValidator>();
        builder.Services.AddSingleton(sp => PulseEngine.Start(
            sp.GetRequiredService<IOptions<PulseOptions>>().Value, TimeProvider.System, sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddHostedService<EngineHostedService>();
        builder.Services.AddSingleton<LiveBroadcaster>();
        builder.Services.AddSingleton(sp => new IngestAdmission(sp.GetRequiredService<PulseEngine>().Options.Ingest));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LiveBroadcaster>());
        builder.Services.AddProblemDetails();
        // Kestrel's verdicts on a request (a body too slow, cut short, too large) are the client's
        // faults wherever a body is read: answer them with their own 4xx, not a 500.
        builder.Services.Configure<ExceptionHandlerOptions>(options => options.StatusCodeSelector = ex =>
            ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError);
        builder.Services.AddPulseOpenApi();
        builder.AddPulseSecurity();
        builder.Services.AddPulseHealthChecks();
        builder.AddPulseTelemetry();
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            int max = context.Configuration.GetValue($"{PulseOptions.SectionName}:Ingest:MaxBodyBytes", new IngestOptions().MaxBodyBytes);
            kestrel.Limits.MaxRequestBodySize = max;
            kestrel.AddServerHeader = false;
        });

        WebApplication app = builder.Build();
        app.UsePulseTelemetry();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UsePulseSecurity();
        // A live client that answers no ping for 30 s (one that stopped reading: the ping waits behind
        // the snapshots it did not read) is disconnected, instead of holding its socket for good.
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30), KeepAliveTimeout = TimeSpan.FromSeconds(30) });
        // The dashboard (dashboard/, built by ./pulse into artifacts/pulse/wwwroot): its files, and
        // index.html for its client routes (/explore, /pipeline, ...) through the fallback below.
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions { OnPrepareResponse = PrepareDashboardFile });

        app.MapIngest();
        app.MapSegment();
        app.MapQueries();
        app.MapAnalytics();
        app.MapDefinitions();
        app.MapLive();
        app.MapGet("/health/live", () => Results.Text("Healthy")).WithName("Liveness")
            .WithTags(ApiDocs.OperationsTag)
            .WithSummary("Liveness: 200 while the process runs")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        app.MapHealthChecks("/health/ready", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
        {
            ResponseWriter = HealthResponse.WriteAsync,
        });
        app.MapTracker();
        app.MapPulseOpenApi();
        // Not an API: the dashboard's client routes (and 404s for unknown server paths).
        app.MapFallback(ClientRoutePattern, ServeDashboardRoute).ExcludeFromDescription();
        return app;
    }

    private static void PrepareDashboardFile(StaticFileResponseContext context)
    {
        IHeaderDictionary headers = context.Context.Response.Headers;
        // Vite names bundle files by content hash: they never change. index.html names them, so it is always revalidated.
        bool hashed = context.Context.Request.Path.StartsWithSegments("/assets", StringComparison.Ordinal);
        // The Content-Security-Policy is set on every response by SecurityHeaders.
        headers.CacheControl = hashed ? "public, max-age=31536000, immutable" : "no-cache";
    }

    /// <summary>A client route of the dashboard gets its index.html; an unknown server path stays a 404.</summary>
    private static IResult ServeDashboardRoute(HttpContext context, IWebHostEnvironment environment)
    {
        string path = context.Request.Path.Value ?? "/";
        bool isRead = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);
        foreach (string prefix in ServerPrefixes)
        {
            if (!isRead || path.StartsWith(prefix, StringComparison.Ordinal))
            {
                return Problems.Create(404, "Not found", $"There is no endpoint {context.Request.Method} {path}. The API is under /v1 (GET /v1/metrics lists the metrics).");
            }
        }

        IFileInfo index = environment.WebRootFileProvider.GetFileInfo("index.html");
        if (!index.Exists)
        {
            return Problems.Create(404, "Dashboard not built", "This build of Pulse has no dashboard: run ./pulse serve from the repository (it builds dashboard/ with npm when Node is installed), or `npm ci && npm run build` in dashboard/. The API works without it.");
        }

        context.Response.Headers.CacheControl = "no-cache";
        return Results.File(index.CreateReadStream(), "text/html; charset=utf-8", lastModified: index.LastModified, entityTag: null);
    }
}
