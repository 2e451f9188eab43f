namespace Pulse.Tests.EndToEnd;

/// <summary>One real server shared by a test class, with a small body limit so limits are cheap to hit.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public const int MaxBodyBytes = 256 * 1024;
    public const int MaxEventsPerRequest = 1000;
    private readonly TempDirectory _dir = new("pulse-http");

    internal PulseProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await PulseProcess.StartAsync(Path.Combine(_dir.Path, "data"), null, $"--Pulse:Ingest:MaxBodyBytes={MaxBodyBytes}",
            $"--Pulse:Ingest:MaxEventsPerRequest={MaxEventsPerRequest}");

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _dir.Dispose();
    }
}
