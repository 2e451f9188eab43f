using Pulse.Hosting;

namespace Pulse.Hosting;

/// <summary>
/// Starts the engine (recovery included) before Kestrel accepts requests, and stops it after the
/// server has stopped accepting and drained: hosted services start first and stop last.
/// </summary>
public sealed class EngineHostedService(IServiceProvider services) : IHostedService
{
    private PulseEngine? _engine;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _engine = services.GetRequiredService<PulseEngine>();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_engine is not null)
        {
            await _engine.StopAsync(cancellationToken);
        }
    }
}
