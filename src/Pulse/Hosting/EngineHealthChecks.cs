using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pulse.Hosting;

/// <summary>
/// The log is writable on every partition, its last writes succeeded, the data disk has room
/// (thresholds: <see cref="HealthOptions"/>), and nothing acknowledged was found unreadable.
/// </summary>
public sealed class LogHealthCheck(PulseEngine engine) : IHealthCheck
{
    private const string ProbeName = ".health-probe";

    /// <summary>
    /// A write that failed this recently, with none succeeding since (a full disk, an I/O error), means the
    /// next appends are likely to fail too; past it, an idle node is offered traffic again to find out.
    /// </summary>
    private const long RecentWriteFailureMs = 10_000;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        long now = engine.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        for (int p = 0; p < engine.Log.Count; p++)
        {
            if (!engine.Log[p].IsHealthy)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy($"Partition {p} cannot write: {engine.Log[p].LastError?.Message}"));
            }

            long failed = engine.Log[p].LastWriteFailureMs;
            if (failed > 0 && now - failed < RecentWriteFailureMs)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy(
                    $"Partition {p}: a write failed {now - failed} ms ago ({engine.Log[p].LastError?.Message}); its appends were refused and the log cut back to its durable end."));
            }
        }

        string data = Path.GetFullPath(engine.Options.DataDirectory);
        try
        {
            // The log's own files stay open; a new file shows whether the file system still takes writes (read-only remounts).
            string probe = Path.Combine(data, ProbeName);
            File.WriteAllBytes(probe, [1]);
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"The data directory {data} does not take writes: {ex.Message}"));
        }

        HealthOptions limits = engine.Options.Health;
        // Below the log's own floor (Pulse:Log:MinFreeDiskBytes) appends are refused, so the node cannot take traffic.
        long floor = Math.Max(limits.DiskFreeUnhealthyBytes, engine.Options.Log.MinFreeDiskBytes);
        long free = new DriveInfo(data).AvailableFreeSpace;
        long lost = 0, corruptions = 0, tornBytes = 0;
        var damaged = new List<string>();
        for (int p = 0; p < engine.Log.Count; p++)
        {
            Pulse.Log.LogStats stats = engine.Log[p].Stats;
            lost += stats.RecordsLost;
            corruptions += stats.CorruptionsSkipped;
            tornBytes += stats.RecoveryTruncatedBytes;
            if (stats.RecordsLost > 0)
            {
                damaged.Add($"partition {p}: {stats.RecordsLost} records (offsets {string.Join(", ", engine.Log[p].LostRanges.Select(static r => r.First == r.Last ? $"{r.First}" : $"{r.First}-{r.Last}"))})");
            }
        }

        var detail = new Dictionary<string, object>
        {
            ["free_bytes"] = free,
            ["degraded_below_bytes"] = Math.Max(limits.DiskFreeDegradedBytes, floor),
            ["unhealthy_below_bytes"] = floor,
            ["partitions"] = engine.Log.Count,
            ["records_lost"] = lost,
            ["corruptions_skipped"] = corruptions,
            ["torn_tail_bytes_cut"] = tornBytes,
            ["scrub_passes"] = engine.Scrubber.Passes,
        };
        if (free < floor)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"Only {free >> 20} MiB free on the data disk (floor {floor >> 20} MiB: below it appends are refused).", data: detail));
        }

        // Damaged log data does not stop the node: everything intact is counted and served, and new
        // appends are unaffected, so it stays ready — but degraded, because some acknowledged events are gone.
        if (damaged.Count > 0)
        {
            return Task.FromResult(HealthCheckResult.Degraded(
                $"Acknowledged log records are unreadable (corrupt, or in a missing or truncated segment) and not counted: {string.Join("; ", damaged)}.", data: detail));
        }

        return Task.FromResult(free < limits.DiskFreeDegradedBytes
            ? HealthCheckResult.Degraded($"Only {free >> 20} MiB free on the data disk (warning below {limits.DiskFreeDegradedBytes >> 20} MiB).", data: detail)
            : HealthCheckResult.Healthy(tornBytes > 0 ? $"Writable; recovery cut a torn tail of {tornBytes} bytes (appends that were never acknowledged)." : "Writable.", detail));
    }
}

/// <summary>The store answers; Degraded while its last checkpoint write failed (changes stay pending and are retried).</summary>
public sealed class StoreHealthCheck(PulseEngine engine) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!engine.Store.Ping())
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The store does not answer."));
        }

        var detail = new Dictionary<string, object>
        {
            ["store_bytes"] = engine.Store.DatabaseBytes(),
            ["checkpoint_failures"] = engine.Checkpointer.Failures,
            ["divergent_partitions"] = engine.Divergences.Count,
            ["rebuilt_partitions"] = engine.Divergences.Count(static d => d.Rebuilt),
        };
        if (engine.Checkpointer.LastError is { } error)
        {
            return Task.FromResult(HealthCheckResult.Degraded($"The last checkpoint could not write to the store: {error}", data: detail));
        }

        // Ready either way: a rebuilt partition is exact once its replay has caught up (the processing
        // check shows the lag); one that could not be rebuilt serves what the store holds.
        if (engine.Divergences.Count > 0)
        {
            return Task.FromResult(HealthCheckResult.Degraded(
                "At start the stored rollups disagreed with their checkpoint: " + string.Join("; ", engine.Divergences.Select(static d =>
                    $"partition {d.Partition} held {d.StoredEvents} events, its checkpoint counted {d.CheckpointEvents}, " +
                    (d.Rebuilt ? "rebuilt from the log" : "not rebuilt (the log no longer starts at offset 0)"))) + ".", data: detail));
        }

        return Task.FromResult(HealthCheckResult.Healthy("Answering.", detail));
    }
}

/// <summary>Checkpoints are recent: the older the last one, the more a restart replays.</summary>
public sealed class CheckpointHealthCheck(PulseEngine engine) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        long age = Math.Max(0, engine.Clock.GetUtcNow().ToUnixTimeMilliseconds() - engine.Checkpointer.LastCheckpointMs);
        // A long checkpoint interval makes ages that long normal: the thresholds are at least 10 and 60 intervals.
        long interval = (long)engine.Options.Processing.CheckpointInterval.TotalMilliseconds;
        long degraded = Math.Max((long)engine.Options.Health.CheckpointDegradedAge.TotalMilliseconds, 10 * interval);
        long unhealthy = Math.Max((long)engine.Options.Health.CheckpointUnhealthyAge.TotalMilliseconds, 60 * interval);
        var detail = new Dictionary<string, object>
        {
            ["checkpoint_age_ms"] = age,
            ["degraded_at_ms"] = degraded,
            ["unhealthy_at_ms"] = unhealthy,
            ["checkpoints"] = engine.Checkpointer.Checkpoints,
            ["checkpoint_failures"] = engine.Checkpointer.Failures,
        };
        string why = engine.Checkpointer.LastError is { } error ? $" Last error: {error}" : "";
        return Task.FromResult(age >= unhealthy
            ? HealthCheckResult.Unhealthy($"No checkpoint for {age} ms.{why}", data: detail)
            : age >= degraded
                ? HealthCheckResult.Degraded($"Last checkpoint {age} ms ago.{why}", data: detail)
                : HealthCheckResult.Healthy("Checkpointing.", detail));
    }
}

/// <summary>Processing keeps up with the log, in events and in time.</summary>
public sealed class ProcessingHealthCheck(PulseEngine engine) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        HealthOptions limits = engine.Options.Health;
        long lag = engine.Lag();
        long lagMs = engine.LagMs();
        var detail = new Dictionary<string, object>
        {
            ["lag_events"] = lag,
            ["lag_ms"] = lagMs,
            ["degraded_at_events"] = limits.LagDegradedEvents,
            ["degraded_at_ms"] = (long)limits.LagDegradedAge.TotalMilliseconds,
        };
        if (limits.LagUnhealthyAge is { } unhealthy)
        {
            detail["unhealthy_at_ms"] = (long)unhealthy.TotalMilliseconds;
            if (lagMs >= unhealthy.TotalMilliseconds)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy($"{lag} events, {lagMs} ms behind the log.", data: detail));
            }
        }

        return Task.FromResult(lag >= limits.LagDegradedEvents || lagMs >= limits.LagDegradedAge.TotalMilliseconds
            ? HealthCheckResult.Degraded($"{lag} events, {lagMs} ms behind the log.", data: detail)
            : HealthCheckResult.Healthy("Keeping up.", detail));
    }
}

/// <summary>
/// Dedupe memory: when its cap forces ids out before the configured horizon, a retry older than the
/// effective horizon could be counted twice — serving goes on, but that is worth a Degraded.
/// </summary>
public sealed class DedupeHealthCheck(PulseEngine engine) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        TimeSpan configured = engine.Options.Dedupe.Horizon;
        TimeSpan effective = engine.Ingest.EffectiveDedupeHorizon();
        var data = new Dictionary<string, object>
        {
            ["entries"] = engine.Ingest.DedupeEntries(),
            ["horizon_seconds"] = configured.TotalSeconds,
            ["effective_horizon_seconds"] = effective.TotalSeconds,
        };
        return Task.FromResult(effective < configured
            ? HealthCheckResult.Degraded($"The id cap ({engine.Options.Dedupe.MaxEntries}) shortens the dedupe horizon to {effective.TotalSeconds:0} s of {configured.TotalSeconds:0} s.", data: data)
            : HealthCheckResult.Healthy($"Retries within {configured.TotalSeconds:0} s are recognised.", data));
    }
}
