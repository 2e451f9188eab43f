using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pulse.Hosting;

/// <summary>The log is writable on every partition and the disk has room.</summary>
public sealed class LogHealthCheck(PulseEngine engine) : IHealthCheck
{
    public const long DegradedFreeBytes = 1L << 30;
    public const long UnhealthyFreeBytes = 100L << 20;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        for (int p = 0; p < engine.Log.Count; p++)
        {
            if (!engine.Log[p].IsHealthy)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy($"Partition {p} cannot write: {engine.Log[p].LastError}"));
            }
        }

        long free = new DriveInfo(Path.GetFullPath(engine.Options.DataDirectory)).AvailableFreeSpace;
        var data = new Dictionary<string, object> { ["free_bytes"] = free, ["partitions"] = engine.Log.Count };
        return Task.FromResult(free < UnhealthyFreeBytes
            ? HealthCheckResult.Unhealthy($"Only {free >> 20} MiB free on the data disk.", data: data)
            : free < DegradedFreeBytes
                ? HealthCheckResult.Degraded($"Only {free >> 20} MiB free on the data disk.", data: data)
                : HealthCheckResult.Healthy("Writable.", data));
    }
}

/// <summary>The store answers and checkpoints are recent.</summary>
public sealed class StoreHealthCheck(PulseEngine engine) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!engine.Store.Ping())
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The store does not answer."));
        }

        long age = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() - engine.Checkpointer.LastCheckpointMs;
        long expected = (long)engine.Options.Processing.CheckpointInterval.TotalMilliseconds;
        var data = new Dictionary<string, object> { ["checkpoint_age_ms"] = age, ["checkpoint_failures"] = engine.Checkpointer.Failures };
        return Task.FromResult(age > Math.Max(60_000, expected * 60)
            ? HealthCheckResult.Unhealthy($"No checkpoint for {age} ms: {engine.Checkpointer.LastError}", data: data)
            : age > Math.Max(10_000, expected * 10)
                ? HealthCheckResult.Degraded($"Last checkpoint {age} ms ago: {engine.Checkpointer.LastError}", data: data)
                : HealthCheckResult.Healthy("Checkpointing.", data));
    }
}

/// <summary>Processing keeps up with the log.</summary>
public sealed class ProcessingHealthCheck(PulseEngine engine) : IHealthCheck
{
    public const long DegradedLag = 5_000_000;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        long lag = engine.Lag();
        var data = new Dictionary<string, object> { ["lag_events"] = lag };
        return Task.FromResult(lag > DegradedLag
            ? HealthCheckResult.Degraded($"{lag} events behind the log.", data: data)
            : HealthCheckResult.Healthy("Keeping up.", data));
    }
}
