using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pulse.Hosting;
using Pulse.Ingest;
using Pulse.Store;

namespace Pulse.Tests.Health;

/// <summary>Every state of every readiness check, reached through real engine state or the thresholds in <see cref="HealthOptions"/>.</summary>
public sealed class HealthCheckTests
{
    private static string Events(int count, string user = "u", string prefix = "e")
    {
        var body = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            body.Append($$"""{"event_id":"{{prefix}}{{i}}","type":"page_view","user_id":"{{user}}"}""").Append('\n');
        }

        return body.ToString();
    }

    [Fact]
    public async Task Log_is_healthy_with_room_on_the_disk()
    {
        await using var h = EngineHarness.Start();
        HealthCheckResult r = await h.CheckAsync(new LogHealthCheck(h.Engine));
        Assert.Equal(HealthStatus.Healthy, r.Status);
        Assert.True((long)r.Data["free_bytes"] > 0);
        Assert.False(File.Exists(Path.Combine(h.DataDirectory, ".health-probe")));
    }

    [Fact]
    public async Task Log_is_degraded_below_the_warning_threshold()
    {
        await using var h = EngineHarness.Start(o => o.Health.DiskFreeDegradedBytes = long.MaxValue);
        HealthCheckResult r = await h.CheckAsync(new LogHealthCheck(h.Engine));
        Assert.Equal(HealthStatus.Degraded, r.Status);
        Assert.Contains("free on the data disk", r.Description, StringComparison.Ordinal);
        Assert.Equal(long.MaxValue, r.Data["degraded_below_bytes"]);
    }

    [Fact]
    public async Task Log_is_unhealthy_below_the_floor()
    {
        await using var h = EngineHarness.Start(o =>
        {
            o.Health.DiskFreeDegradedBytes = long.MaxValue;
            o.Health.DiskFreeUnhealthyBytes = long.MaxValue;
        });
        HealthCheckResult r = await h.CheckAsync(new LogHealthCheck(h.Engine));
        Assert.Equal(HealthStatus.Unhealthy, r.Status);
        Assert.Contains("floor", r.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Log_is_unhealthy_while_a_partition_cannot_write()
    {
        await using var h = EngineHarness.Start();
        for (int p = 0; p < h.Engine.Log.Count; p++)
        {
            h.Engine.Log[p].InjectWriteFault = _ => new IOException("No space left on device");
            h.Engine.Log[p].BeforeRollback = () => throw new IOException("still no space");
        }

        await Assert.ThrowsAsync<IngestUnavailableException>(() => h.IngestAsync(Events(1)));
        HealthCheckResult r = await h.CheckAsync(new LogHealthCheck(h.Engine));
        Assert.Equal(HealthStatus.Unhealthy, r.Status);
        Assert.Contains("cannot write: still no space", r.Description, StringComparison.Ordinal);

        for (int p = 0; p < h.Engine.Log.Count; p++)
        {
            h.Engine.Log[p].InjectWriteFault = null;
            h.Engine.Log[p].BeforeRollback = null;
            Assert.True(h.Engine.Log[p].TryRecover());
        }

        // Writable again, but the failure is recent and nothing has been written since: still not ready.
        Assert.Equal(HealthStatus.Unhealthy, (await h.CheckAsync(new LogHealthCheck(h.Engine))).Status);
        await h.IngestAsync(Events(1, prefix: "after"));

        Assert.Equal(HealthStatus.Healthy, (await h.CheckAsync(new LogHealthCheck(h.Engine))).Status);
    }

    [Fact]
    public async Task Log_is_unhealthy_after_a_rolled_back_write_failure_until_a_write_succeeds()
    {
        await using var h = EngineHarness.Start();
        for (int p = 0; p < h.Engine.Log.Count; p++)
        {
            h.Engine.Log[p].InjectWriteFault = _ => new IOException("No space left on device");
        }

        await Assert.ThrowsAsync<IngestUnavailableException>(() => h.IngestAsync(Events(1)));
        for (int p = 0; p < h.Engine.Log.Count; p++)
        {
            h.Engine.Log[p].InjectWriteFault = null;
            Assert.True(h.Engine.Log[p].IsHealthy);
        }

        HealthCheckResult r = await h.CheckAsync(new LogHealthCheck(h.Engine));
        Assert.Equal(HealthStatus.Unhealthy, r.Status);
        Assert.Contains("No space left on device", r.Description, StringComparison.Ordinal);

        await h.IngestAsync(Events(1));
        Assert.Equal(HealthStatus.Healthy, (await h.CheckAsync(new LogHealthCheck(h.Engine))).Status);
    }

    [Fact]
    public async Task Store_is_healthy_when_it_answers()
    {
        await using var h = EngineHarness.Start();
        HealthCheckResult r = await h.CheckAsync(new StoreHealthCheck(h.Engine));
        Assert.Equal(HealthStatus.Healthy, r.Status);
        Assert.True((long)r.Data["store_bytes"] > 0);
    }

    [Fact]
    public async Task Store_is_degraded_while_its_last_checkpoint_write_failed()
    {
        await using var h = EngineHarness.Start();
        await h.IngestAsync(Events(3));
        using (var blocker = new SqliteConnection($"Data Source={((SqliteStore)h.Engine.Store).Path};Pooling=False"))
        {
            blocker.Open();
            using SqliteTransaction exclusive = blocker.BeginTransaction(deferred: false);
            using (SqliteCommand write = blocker.CreateCommand())
            {
                write.Transaction = exclusive;
                write.CommandText = "INSERT OR REPLACE INTO meta(key, value) VALUES ('health_test', '1')";
                write.ExecuteNonQuery();
            }

            // The checkpointer waits out its busy timeout, then gives up and keeps the changes pending.
            Assert.False(h.Engine.Checkpointer.RunOnce());
            HealthCheckResult r = await h.CheckAsync(new StoreHealthCheck(h.Engine));
            Assert.Equal(HealthStatus.Degraded, r.Status);
            Assert.Contains("could not write", r.Description, StringComparison.Ordinal);
            Assert.Equal(1L, r.Data["checkpoint_failures"]);
            exclusive.Rollback();
        }

        Assert.True(h.Engine.Checkpointer.RunOnce());
        Assert.Equal(HealthStatus.Healthy, (await h.CheckAsync(new StoreHealthCheck(h.Engine))).Status);
    }

    [Fact]
    public async Task Store_is_unhealthy_when_it_does_not_answer()
    {
        await using var h = EngineHarness.Start();
        string path = ((SqliteStore)h.Engine.Store).Path;
        File.Move(path, path + ".moved");
        Directory.CreateDirectory(path);
        try
        {
            // New connections must open the file again: a directory in its place cannot be opened.
            SqliteConnection.ClearAllPools();
            HealthCheckResult r = await h.CheckAsync(new StoreHealthCheck(h.Engine));
            Assert.Equal(HealthStatus.Unhealthy, r.Status);
            Assert.Contains("does not answer", r.Description, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(path);
            File.Move(path + ".moved", path);
        }
    }

    [Fact]
    public async Task Processing_is_healthy_when_caught_up()
    {
        await using var h = EngineHarness.Start();
        await h.IngestAsync(Events(5));
        await WaitUntilAsync(() => h.Engine.Lag() == 0);
        HealthCheckResult r = await h.CheckAsync(new ProcessingHealthCheck(h.Engine));
        Assert.Equal(HealthStatus.Healthy, r.Status);
        Assert.Equal(0L, r.Data["lag_events"]);
        Assert.Equal(0L, r.Data["lag_ms"]);
    }

    [Fact]
    public async Task Processing_is_degraded_at_the_event_lag_threshold()
    {
        await using var h = EngineHarness.Start(o => o.Health.LagDegradedEvents = 0);
        HealthCheckResult r = await h.CheckAsync(new ProcessingHealthCheck(h.Engine));
        Assert.Equal(HealthStatus.Degraded, r.Status);
        Assert.Contains("behind the log", r.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Processing_is_degraded_at_the_age_threshold()
    {
        await using var h = EngineHarness.Start(o => o.Health.LagDegradedAge = TimeSpan.Zero);
        Assert.Equal(HealthStatus.Degraded, (await h.CheckAsync(new ProcessingHealthCheck(h.Engine))).Status);
    }

    [Fact]
    public async Task Processing_is_unhealthy_at_the_unhealthy_age_when_one_is_set()
    {
        await using var h = EngineHarness.Start(o =>
        {
            o.Health.LagDegradedAge = TimeSpan.Zero;
            o.Health.LagUnhealthyAge = TimeSpan.Zero;
        });
        HealthCheckResult r = await h.CheckAsync(new ProcessingHealthCheck(h.Engine));
        Assert.Equal(HealthStatus.Unhealthy, r.Status);
        Assert.Equal(0L, r.Data["unhealthy_at_ms"]);
    }

    [Fact]
    public async Task Checkpoint_is_healthy_degraded_unhealthy_as_it_ages_and_healthy_again_after_one()
    {
        await using var h = EngineHarness.Start(o =>
        {
            o.Health.CheckpointDegradedAge = TimeSpan.FromHours(11);
            o.Health.CheckpointUnhealthyAge = TimeSpan.FromHours(70);
        });
        var check = new CheckpointHealthCheck(h.Engine);
        Assert.Equal(HealthStatus.Healthy, (await h.CheckAsync(check)).Status);

        h.Clock.Advance((long)TimeSpan.FromHours(11).TotalMilliseconds);
        HealthCheckResult degraded = await h.CheckAsync(check);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Equal((long)TimeSpan.FromHours(11).TotalMilliseconds, degraded.Data["checkpoint_age_ms"]);

        h.Clock.Advance((long)TimeSpan.FromHours(59).TotalMilliseconds);
        Assert.Equal(HealthStatus.Unhealthy, (await h.CheckAsync(check)).Status);

        Assert.True(h.Engine.Checkpointer.RunOnce());
        Assert.Equal(HealthStatus.Healthy, (await h.CheckAsync(check)).Status);
    }

    [Fact]
    public async Task Checkpoint_thresholds_are_at_least_ten_and_sixty_intervals()
    {
        // The harness checkpoints hourly: the 10 s / 60 s defaults stretch to 10 h / 60 h.
        await using var h = EngineHarness.Start();
        var check = new CheckpointHealthCheck(h.Engine);
        h.Clock.Advance((long)TimeSpan.FromHours(9).TotalMilliseconds);
        Assert.Equal(HealthStatus.Healthy, (await h.CheckAsync(check)).Status);
        h.Clock.Advance((long)TimeSpan.FromHours(1).TotalMilliseconds);
        Assert.Equal(HealthStatus.Degraded, (await h.CheckAsync(check)).Status);
        h.Clock.Advance((long)TimeSpan.FromHours(50).TotalMilliseconds);
        Assert.Equal(HealthStatus.Unhealthy, (await h.CheckAsync(check)).Status);
    }

    [Fact]
    public async Task Dedupe_is_healthy_within_its_cap_and_degraded_when_the_cap_shortens_the_horizon()
    {
        await using var h = EngineHarness.Start(o => o.Dedupe.MaxEntries = 2048);
        var check = new DedupeHealthCheck(h.Engine);
        await h.IngestAsync(Events(100));
        Assert.Equal(HealthStatus.Healthy, (await h.CheckAsync(check)).Status);

        // One user is one partition: 1100 more ids overflow its 1024-id share of the cap.
        await h.IngestAsync(Events(1100, prefix: "more"));
        HealthCheckResult r = await h.CheckAsync(check);
        Assert.Equal(HealthStatus.Degraded, r.Status);
        Assert.Contains("shortens the dedupe horizon", r.Description, StringComparison.Ordinal);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "condition not reached");
            await Task.Delay(10);
        }
    }
}
