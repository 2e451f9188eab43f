using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Pulse.Hosting;
using Pulse.Ingest;
using Pulse.Tests.Log;

namespace Pulse.Tests.Health;

/// <summary>
/// A real engine in this process on a manual clock. The checkpoint interval is an hour, so the
/// background checkpointer never runs during a test: checkpoint ages move only with the clock.
/// </summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    private readonly TempDirectory _dir;

    private EngineHarness(TempDirectory dir, ManualClock clock, PulseEngine engine)
    {
        _dir = dir;
        Clock = clock;
        Engine = engine;
    }

    public ManualClock Clock { get; }
    public PulseEngine Engine { get; }
    public string DataDirectory => Engine.Options.DataDirectory;

    public static EngineHarness Start(Action<PulseOptions>? configure = null)
    {
        var dir = new TempDirectory();
        var options = new PulseOptions { DataDirectory = Path.Combine(dir.Path, "data") };
        options.Log.Partitions = 2;
        options.Processing.CheckpointInterval = TimeSpan.FromHours(1);
        configure?.Invoke(options);
        var clock = new ManualClock(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return new EngineHarness(dir, clock, PulseEngine.Start(options, clock, NullLoggerFactory.Instance));
    }

    public async Task<IngestResult> IngestAsync(string ndjson)
    {
        using var batch = new EventBatch();
        EventParser.Parse(Encoding.UTF8.GetBytes(ndjson), BodyFormat.Ndjson, Clock.NowMs, Engine.IngestLimits, batch);
        return await Engine.Ingest.AppendAsync(batch, CancellationToken.None);
    }

    public Task<HealthCheckResult> CheckAsync(IHealthCheck check) =>
        check.CheckHealthAsync(new HealthCheckContext { Registration = new HealthCheckRegistration("test", check, null, null) });

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        _dir.Dispose();
    }
}
