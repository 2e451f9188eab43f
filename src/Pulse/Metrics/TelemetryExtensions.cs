using Microsoft.Extensions.Logging.Console;
using Pulse.Hosting;
using Pulse.Live;
using Pulse.Telemetry;

namespace Pulse.Metrics;

/// <summary>Wires metrics, request telemetry and console logging into the host, kept apart from the rest of the server's setup.</summary>
public static class TelemetryExtensions
{
    /// <summary>Every meter whose instruments <c>/metrics</c> exports.</summary>
    public static readonly string[] MeterNames = [EngineInstruments.MeterName, EngineMetrics.MeterName, ServerInstruments.MeterName, RuntimeMetrics.MeterName];

    public static WebApplicationBuilder AddPulseTelemetry(this WebApplicationBuilder builder)
    {
        ConfigureConsoleLogging(builder);
        builder.Services.AddOptions<RequestLogOptions>()
            .Bind(builder.Configuration.GetSection(RequestLogOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // Created before the engine and the server meters publish instruments, so none is missed.
        builder.Services.AddSingleton(_ => MetricsCollector.ForMeters(MeterNames));
        builder.Services.AddSingleton(sp => new EngineMetrics(sp.GetRequiredService<PulseEngine>()));
        builder.Services.AddSingleton(sp => new RuntimeMetrics(sp.GetRequiredService<LiveBroadcaster>()));
        builder.Services.AddHostedService<TelemetryStartup>();
        return builder;
    }

    /// <summary>
    /// The request middleware and <c>GET /metrics</c>. Call first, so the middleware times and sees
    /// the final status of everything after it.
    /// </summary>
    public static WebApplication UsePulseTelemetry(this WebApplication app)
    {
        app.UseMiddleware<RequestTelemetry>();
        app.MapMetrics();
        return app;
    }

    /// <summary>
    /// JSON lines when stdout is not a terminal (a service manager or a log shipper reads it), the
    /// readable simple format on a terminal; <c>Logging:Console:FormatterName</c> (json, simple,
    /// systemd) overrides either.
    /// </summary>
    private static void ConfigureConsoleLogging(WebApplicationBuilder builder)
    {
        string formatter = builder.Configuration["Logging:Console:FormatterName"] is { Length: > 0 } configured
            ? configured
            : Console.IsOutputRedirected ? ConsoleFormatterNames.Json : ConsoleFormatterNames.Simple;
        builder.Services.Configure<ConsoleLoggerOptions>(options => options.FormatterName = formatter);
        // Defaults only: Logging:Console:FormatterOptions:TimestampFormat still wins.
        builder.Services.Configure<JsonConsoleFormatterOptions>(options => options.TimestampFormat ??= "yyyy-MM-ddTHH:mm:ss.fffZ");
        builder.Services.Configure<SimpleConsoleFormatterOptions>(options => options.TimestampFormat ??= "HH:mm:ss.fff ");
    }

    /// <summary>Creates the collector and the observable instruments when the host starts, not at the first scrape.</summary>
    private sealed class TelemetryStartup(MetricsCollector collector, EngineMetrics engine, RuntimeMetrics runtime) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(collector);
            GC.KeepAlive(engine);
            GC.KeepAlive(runtime);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
