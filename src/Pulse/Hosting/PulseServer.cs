using Microsoft.Extensions.Options;
using Pulse.Http;
using Pulse.Live;
using Pulse.Metrics;

namespace Pulse.Hosting;

/// <summary>Builds the web host around the engine: options, endpoints, health, live feed.</summary>
public static class PulseServer
{
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
        builder.Services.AddSingleton(sp => PulseEngine.Start(
            sp.GetRequiredService<IOptions<PulseOptions>>().Value, TimeProvider.System, sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddHostedService<EngineHostedService>();
        builder.Services.AddSingleton<LiveBroadcaster>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LiveBroadcaster>());
        builder.Services.AddProblemDetails();
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
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.UseDefaultFiles();
        app.UseStaticFiles();

        app.MapIngest();
        app.MapQueries();
        app.MapLive();
        app.MapGet("/health/live", () => Results.Text("Healthy"));
        app.MapHealthChecks("/health/ready", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
        {
            ResponseWriter = HealthResponse.WriteAsync,
        });
        return app;
    }
}
