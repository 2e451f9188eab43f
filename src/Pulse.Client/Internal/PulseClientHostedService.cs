using Microsoft.Extensions.Hosting;

namespace Pulse.Client.Internal;

/// <summary>
/// Ties the client to the host's lifetime: it is created (and its delivery loop started) when the
/// host starts, and drained — within <see cref="PulseClientOptions.ShutdownTimeout"/> and the host's
/// own shutdown bound — when it stops. Registered before the application's hosted services, it stops
/// after them, so what they track while stopping is still sent.
/// </summary>
internal sealed class PulseClientHostedService(PulseClient client) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => client.ShutdownAsync(cancellationToken);
}
