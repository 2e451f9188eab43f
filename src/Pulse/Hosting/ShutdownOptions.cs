using System.ComponentModel.DataAnnotations;

namespace Pulse.Hosting;

/// <summary>
/// <c>Pulse:ShutdownTimeout</c>: on SIGTERM / Ctrl-C the server stops accepting, lets in-flight
/// requests finish, drains processing and takes a final checkpoint — all within this bound, after
/// which open requests are aborted (unacknowledged, so clients retry) and the drain is cut short
/// (the log replays it at the next start).
/// </summary>
public sealed class ShutdownOptions
{
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public static void AddTo(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ShutdownOptions>()
            .Bind(configuration.GetSection(PulseOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<HostOptions>().Configure<Microsoft.Extensions.Options.IOptions<ShutdownOptions>>(
            (host, shutdown) => host.ShutdownTimeout = shutdown.Value.ShutdownTimeout);
    }
}
