using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Pulse.Tests.EndToEnd;
using Pulse.Tests.Metrics;

namespace Pulse.Tests.Reliability;

/// <summary>
/// A checkpoint and its rollups are one SQLite transaction, so they part only when the store file
/// is damaged, edited or restored in part. The tests build each such store from two real ones (a
/// copy after the first half of the workload, the store after all of it) and restart over it: the
/// engine must see that the rollups and the checkpoint disagree, say so, and rebuild the partition
/// from the log, so every total is exact — neither the second half lost nor counted twice.
/// </summary>
[Collection(ReliabilityCollection.Name)]
[Trait("Category", "Reliability")]
public sealed class StoreDivergenceTests
{
    private static readonly string[] Settings = ["--Pulse:Log:Partitions=1"];

    public enum Divergence
    {
        /// <summary>The last checkpoint row, over the rollups of the one before: the second half's rows are missing.</summary>
        CheckpointWithoutItsRollups,

        /// <summary>The last rollups, under the checkpoint row of the one before: a replay from there would count the second half twice.</summary>
        RollupsWithoutTheirCheckpoint,

        /// <summary>The rollups with no checkpoint row at all.</summary>
        RollupsWithNoCheckpoint,
    }

    [Theory]
    [InlineData(Divergence.CheckpointWithoutItsRollups)]
    [InlineData(Divergence.RollupsWithoutTheirCheckpoint)]
    [InlineData(Divergence.RollupsWithNoCheckpoint)]
    public async Task A_store_whose_rollups_and_checkpoint_disagree_is_rebuilt_from_the_log_exactly(Divergence divergence)
    {
        using FaultScenario scenario = await FaultScenario.CreateAsync("divergence", seed: 90 + (int)divergence, ReliabilityMode.Pick(3000, 20_000), heldBack: 0);
        List<TruthEvent> first = scenario.All.GetRange(0, scenario.All.Count / 2);
        string store = Path.Combine(scenario.Data, "store.db");
        string earlier = Path.Combine(scenario.Root, "earlier.db");

        await using (PulseProcess server = await PulseProcess.StartAsync(scenario.Data, null, Settings))
        {
            await FaultScenario.SendAsync(server, first);
            await scenario.AssertExactAsync(server, first);
            await server.StopAsync();
        }

        Execute(store, $"VACUUM INTO '{earlier}'");
        await using (PulseProcess server = await PulseProcess.StartAsync(scenario.Data, null, Settings))
        {
            await FaultScenario.SendAsync(server, scenario.All.GetRange(first.Count, scenario.All.Count - first.Count));
            await scenario.AssertExactAsync(server, scenario.All);
            await server.StopAsync();
        }

        (long storedEvents, long checkpointEvents) = Diverge(divergence, store, earlier);
        Assert.NotEqual(storedEvents, checkpointEvents);

        var watch = Stopwatch.StartNew();
        (PulseProcess restarted, long readyMs) = await scenario.RestartAsync(Settings);
        long counted;
        await using (restarted)
        {
            await scenario.AssertExactAsync(restarted, scenario.All);
            long exactMs = watch.ElapsedMilliseconds;
            counted = await scenario.CountedAsync(restarted);
            Assert.Contains($"the stored rollups hold {storedEvents} events but its checkpoint counted {checkpointEvents}; the partition rows were cleared and are rebuilt from the log",
                restarted.Output, StringComparison.Ordinal);

            (HttpStatusCode status, JsonElement readiness) = await FaultScenario.ReadinessAsync(restarted);
            Assert.True(status == HttpStatusCode.OK, $"not ready: {readiness}");
            JsonElement check = readiness.GetProperty("checks").GetProperty("store");
            Assert.Equal("Degraded", check.GetProperty("status").GetString());
            Assert.Equal(1, check.GetProperty("rebuilt_partitions").GetInt64());
            Assert.Contains($"partition 0 held {storedEvents} events, its checkpoint counted {checkpointEvents}, rebuilt from the log",
                check.GetProperty("description").GetString(), StringComparison.Ordinal);
            Scrape scrape = await FaultScenario.ScrapeAsync(restarted);
            Assert.Equal(1, scrape.Value("pulse_store_divergences{partition=\"0\"}"));
            await restarted.StopAsync();

            ReliabilityFigures.Record("store-" + Kebab(divergence.ToString()),
                "Rollups and checkpoint that disagree are detected at start, logged, shown in /metrics and /health/ready, and the partition is rebuilt from the log: totals exact.",
                [
                    new("faults injected", 1),
                    new("events at stake", scenario.All.Count),
                    new("events in the damaged store rows", Math.Abs(storedEvents - checkpointEvents)),
                    new("lost", Math.Max(0, scenario.All.Count - counted)),
                    new("double-counted", Math.Max(0, counted - scenario.All.Count)),
                    new("ready after (ms)", readyMs),
                    new("exact totals after (ms)", exactMs),
                ]);
        }

        // The rebuilt store is whole again: the next start finds nothing to rebuild and the same totals.
        await using PulseProcess again = await PulseProcess.StartAsync(scenario.Data, null, Settings);
        await scenario.AssertExactAsync(again, scenario.All);
        (_, JsonElement healthy) = await FaultScenario.ReadinessAsync(again);
        Assert.Equal("Healthy", healthy.GetProperty("checks").GetProperty("store").GetProperty("status").GetString());
        Assert.DoesNotContain("rebuilt from the log", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_that_lost_its_write_ahead_log_after_a_kill_falls_back_to_an_older_consistent_state_and_replays_exactly()
    {
        using FaultScenario scenario = await FaultScenario.CreateAsync("wal-lost", seed: 94, ReliabilityMode.Pick(3000, 20_000), heldBack: 0);
        string store = Path.Combine(scenario.Data, "store.db");
        await using (PulseProcess server = await PulseProcess.StartAsync(scenario.Data, null, Settings))
        {
            await FaultScenario.SendAsync(server, scenario.All);
            await scenario.AssertExactAsync(server, scenario.All);
            await server.KillAsync();
        }

        // With synchronous=NORMAL the newest transactions live only in the WAL: losing it loses them
        // whole (each one is checkpoint and rows together), which is an older checkpoint, not a divergence.
        long walBytes = new FileInfo(store + "-wal").Length;
        Assert.True(walBytes > 0, "the kill left no WAL to lose");
        File.Delete(store + "-wal");
        File.Delete(store + "-shm");

        (PulseProcess restarted, long readyMs) = await scenario.RestartAsync(Settings);
        await using (restarted)
        {
            var watch = Stopwatch.StartNew();
            await scenario.AssertExactAsync(restarted, scenario.All);
            long counted = await scenario.CountedAsync(restarted);
            Assert.DoesNotContain("the stored rollups hold", restarted.Output, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await FaultScenario.ReadinessAsync(restarted)).Status);
            ReliabilityFigures.Record("store-wal-lost", "A store that lost its WAL after kill -9 is an older consistent checkpoint: the log replays the rest, totals exact.",
            [
                new("faults injected", 1),
                new("events at stake", scenario.All.Count),
                new("WAL bytes lost", walBytes),
                new("lost", Math.Max(0, scenario.All.Count - counted)),
                new("double-counted", Math.Max(0, counted - scenario.All.Count)),
                new("ready after (ms)", readyMs),
                new("exact totals after ready (ms)", watch.ElapsedMilliseconds),
            ]);
        }
    }

    /// <summary>Builds the divergent store in place of <paramref name="store"/>; returns the events its rollups hold and its checkpoint counts.</summary>
    private static (long StoredEvents, long CheckpointEvents) Diverge(Divergence divergence, string store, string earlier)
    {
        string target = divergence == Divergence.CheckpointWithoutItsRollups ? earlier : store;
        string other = target == store ? earlier : store;
        string sql = divergence == Divergence.RollupsWithNoCheckpoint
            ? "DELETE FROM checkpoints;"
            : $"ATTACH '{other}' AS other; DELETE FROM checkpoints; INSERT INTO checkpoints SELECT * FROM other.checkpoints; DETACH other;";
        Execute(target, sql);
        if (target != store)
        {
            foreach (string stale in (string[])[store, store + "-wal", store + "-shm"])
            {
                File.Delete(stale);
            }

            File.Copy(target, store);
        }

        using var connection = new SqliteConnection($"Data Source={store};Pooling=False");
        connection.Open();
        return (Scalar(connection, "SELECT COALESCE(SUM(count), 0) FROM counts WHERE res = 3 AND mask = 1"),
            Scalar(connection, "SELECT COALESCE(SUM(events_processed), 0) FROM checkpoints"));
    }

    private static void Execute(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private static string Kebab(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
