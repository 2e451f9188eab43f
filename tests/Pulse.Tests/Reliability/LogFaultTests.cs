using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Pulse.Tests.EndToEnd;
using Pulse.Tests.Metrics;

namespace Pulse.Tests.Reliability;

/// <summary>
/// Damage to the log files of a killed server (issue 8, storage faults): the restarted server must
/// find it, say so in its log output, its metrics and its readiness, keep serving, count every intact
/// acknowledged event exactly, and lose exactly the events whose records were destroyed.
/// </summary>
[Collection(ReliabilityCollection.Name)]
[Trait("Category", "Reliability")]
public sealed class LogFaultTests
{
    private static readonly int Events = ReliabilityMode.Pick(3000, 20_000);

    [Fact]
    public async Task A_torn_final_record_is_cut_and_every_acknowledged_event_counts()
    {
        using FaultScenario scenario = await FaultScenario.CreateAsync("torn", seed: 81, Events);
        List<SegmentFile> segments = await SendAndKillAsync(scenario);
        int torn = LogFiles.AppendTornRecord(segments[^1], scenario.Before.Count);

        await AssertRecoveredAsync(scenario, "torn-final-record", destroyed: [], torn, "torn tail in", server =>
        {
            return CheckAsync(server, readiness =>
            {
                // Nothing acknowledged was in the torn bytes (a record is acknowledged only once fsynced whole): ready and healthy.
                Assert.Equal("Healthy", readiness.GetProperty("checks").GetProperty("log").GetProperty("status").GetString());
                Assert.Equal(torn, readiness.GetProperty("checks").GetProperty("log").GetProperty("torn_tail_bytes_cut").GetInt64());
                Assert.Contains("torn tail", readiness.GetProperty("checks").GetProperty("log").GetProperty("description").GetString(), StringComparison.Ordinal);
            }, scrape => Assert.Equal(torn, scrape.Sum("pulse_log_recovery_truncated_bytes_total")));
        });
    }

    [Fact]
    public async Task A_flipped_bit_in_a_sealed_segment_loses_exactly_that_record()
    {
        using FaultScenario scenario = await FaultScenario.CreateAsync("bitflip", seed: 82, Events);
        List<SegmentFile> segments = await SendAndKillAsync(scenario);
        SegmentFile middle = segments[segments.Count / 2];
        StoredRecord hit = middle.Records[middle.Records.Count / 2];
        LogFiles.FlipBit(middle, hit);

        await AssertRecoveredAsync(scenario, "flipped-bit-sealed-segment", destroyed: [hit.Offset], 0, "corrupt record in",
            server => CheckLossAsync(server, [hit.Offset]));
    }

    [Fact]
    public async Task A_flipped_bit_in_the_active_segment_loses_that_record_and_keeps_the_intact_ones_after_it()
    {
        using FaultScenario scenario = await FaultScenario.CreateAsync("bitflip-active", seed: 85, Events);
        List<SegmentFile> segments = await SendAndKillAsync(scenario);
        SegmentFile active = segments[^1];
        Assert.True(active.Records.Count >= 10, $"the active segment holds only {active.Records.Count} records");
        StoredRecord hit = active.Records[active.Records.Count / 2];
        LogFiles.FlipBit(active, hit);

        await AssertRecoveredAsync(scenario, "flipped-bit-active-segment", destroyed: [hit.Offset], 0, "corrupt record in",
            server => CheckLossAsync(server, [hit.Offset]));
    }

    [Fact]
    public async Task A_flipped_bit_below_the_last_checkpoint_is_found_by_the_scrubber_and_no_total_changes()
    {
        using FaultScenario scenario = await FaultScenario.CreateAsync("scrub", seed: 86, Events);
        string[] settings = ["--Pulse:Log:Partitions=1", "--Pulse:Log:SegmentBytes=65536"];
        await using (PulseProcess server = await PulseProcess.StartAsync(scenario.Data, null, settings))
        {
            await FaultScenario.SendAsync(server, scenario.Before);
            await scenario.AssertExactAsync(server, scenario.Before);
            // A clean stop checkpoints everything: no replay will read the damaged record again.
            await server.StopAsync();
        }

        List<SegmentFile> segments = scenario.ReadLog(scenario.Before.Count);
        SegmentFile middle = segments[segments.Count / 2];
        StoredRecord hit = middle.Records[middle.Records.Count / 3];
        LogFiles.FlipBit(middle, hit);

        // Nothing else may read the damaged record: a one-second dedupe horizon, so the start's dedupe
        // rebuild reads none of it, and no analytics, whose recovery of events waiting for the
        // watermark would read from the oldest of them (the workload spans only seconds of event time).
        var watch = Stopwatch.StartNew();
        await using PulseProcess restarted = await PulseProcess.StartAsync(scenario.Data, null, [.. settings, "--Pulse:Dedupe:Horizon=00:00:01", "--Pulse:Analytics:Enabled=false"]);
        double lost = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(30) && (lost = (await FaultScenario.ScrapeAsync(restarted)).Sum("pulse_log_records_lost_total")) == 0)
        {
            await Task.Delay(100);
        }

        long foundMs = watch.ElapsedMilliseconds;
        Assert.Equal(1, lost);
        Assert.Contains("corrupt record in", restarted.Output, StringComparison.Ordinal);
        await CheckLossAsync(restarted, [hit.Offset]);
        Scrape scrape = await FaultScenario.ScrapeAsync(restarted);
        Assert.True(scrape.Sum("pulse_log_scrubbed_bytes_total") > 0);

        // The damaged record's event was counted before the damage: every total stays exact.
        await scenario.AssertExactAsync(restarted, scenario.Before);
        await FaultScenario.SendAsync(restarted, scenario.After);
        await scenario.AssertExactAsync(restarted, scenario.All);
        long counted = await scenario.CountedAsync(restarted);
        ReliabilityFigures.Record("flipped-bit-below-checkpoint", "Damage nothing replays is found by the background scrubber, reported in logs, /metrics and /health/ready; no total changes.",
        [
            new("faults injected", 1),
            new("events at stake", scenario.All.Count),
            new("events in destroyed records", 1),
            new("lost from totals", Math.Max(0, scenario.All.Count - counted)),
            new("double-counted", Math.Max(0, counted - scenario.All.Count)),
            new("found after start (ms)", foundMs),
        ]);
    }

    [Fact]
    public async Task A_missing_segment_loses_exactly_its_records()
    {
        using FaultScenario scenario = await FaultScenario.CreateAsync("missing", seed: 83, Events);
        List<SegmentFile> segments = await SendAndKillAsync(scenario);
        SegmentFile gone = segments[segments.Count / 2];
        LogFiles.Delete(gone);
        long[] destroyed = [.. gone.Records.Select(r => r.Offset)];

        await AssertRecoveredAsync(scenario, "missing-segment", destroyed, 0, "are missing (a segment is missing or truncated)",
            server => CheckLossAsync(server, destroyed));
    }

    [Fact]
    public async Task A_truncated_segment_loses_exactly_the_records_cut_off()
    {
        using FaultScenario scenario = await FaultScenario.CreateAsync("truncated", seed: 84, Events);
        List<SegmentFile> segments = await SendAndKillAsync(scenario);
        SegmentFile cut = segments[segments.Count / 2];
        // Mid-record, so the last kept bytes are half a record: it is lost too.
        long keep = cut.Records[cut.Records.Count / 3].Position + 10;
        LogFiles.Truncate(cut, keep);
        long[] destroyed = [.. cut.Records.Where(r => r.End > keep).Select(r => r.Offset)];

        await AssertRecoveredAsync(scenario, "truncated-segment", destroyed, 0, "are missing (a segment is missing or truncated)",
            server => CheckLossAsync(server, destroyed));
    }

    /// <summary>Sends the workload (all but the held-back events), waits until processed, kills the server, and reads its files.</summary>
    private static async Task<List<SegmentFile>> SendAndKillAsync(FaultScenario scenario)
    {
        await using PulseProcess server = await PulseProcess.StartAsync(scenario.Data, null, FaultScenario.ReplayEverything);
        await FaultScenario.SendAsync(server, scenario.Before);
        await scenario.AssertExactAsync(server, scenario.Before);
        await server.KillAsync();
        return scenario.ReadLog(scenario.Before.Count);
    }

    private static async Task AssertRecoveredAsync(
        FaultScenario scenario, string suite, long[] destroyed, int tornBytes, string logged, Func<PulseProcess, Task> check)
    {
        var destroyedSet = destroyed.ToHashSet();
        List<TruthEvent> intact = [.. scenario.Before.Where((_, k) => !destroyedSet.Contains(k))];
        var watch = Stopwatch.StartNew();
        (PulseProcess server, long readyMs) = await scenario.RestartAsync(FaultScenario.ReplayEverything);
        await using (server)
        {
            await scenario.AssertExactAsync(server, intact);
            long exactMs = watch.ElapsedMilliseconds;
            long counted = await scenario.CountedAsync(server);
            Assert.Contains(logged, server.Output, StringComparison.Ordinal);
            await check(server);

            // It takes new traffic after the damage, and counts it.
            await FaultScenario.SendAsync(server, scenario.After);
            await scenario.AssertExactAsync(server, [.. intact, .. scenario.After]);
            Assert.False(server.HasExited);
            ReliabilityFigures.Record(suite, "The damage is found, logged, counted in /metrics and /health/ready; every intact acknowledged event counts once, exactly the destroyed records are lost.",
            [
                new("faults injected", 1),
                new("events at stake", scenario.Before.Count),
                new("events in destroyed records", destroyed.Length),
                new("torn bytes (never acknowledged)", tornBytes),
                new("intact events lost", Math.Max(0, intact.Count - counted)),
                new("double-counted", Math.Max(0, counted - intact.Count)),
                new("recovered (counted)", counted),
                new("ready after (ms)", readyMs),
                new("exact totals after (ms)", exactMs),
            ]);
        }
    }

    /// <summary>Loss shows in readiness (degraded but ready, with the offsets) and in pulse_log_records_lost_total.</summary>
    private static Task CheckLossAsync(PulseProcess server, long[] destroyed) =>
        CheckAsync(server, readiness =>
        {
            Assert.Equal("Degraded", readiness.GetProperty("status").GetString());
            JsonElement log = readiness.GetProperty("checks").GetProperty("log");
            Assert.Equal("Degraded", log.GetProperty("status").GetString());
            Assert.Equal(destroyed.Length, log.GetProperty("records_lost").GetInt64());
            string range = destroyed.Length == 1 ? $"{destroyed[0]}" : $"{destroyed.Min()}-{destroyed.Max()}";
            Assert.Contains($"partition 0: {destroyed.Length} records (offsets {range})", log.GetProperty("description").GetString(), StringComparison.Ordinal);
        }, scrape =>
        {
            Assert.Equal(destroyed.Length, scrape.Value("pulse_log_records_lost_total{partition=\"0\"}"));
            Assert.True(scrape.Sum("pulse_log_corruptions_skipped_total") >= 1);
        });

    private static async Task CheckAsync(PulseProcess server, Action<JsonElement> readiness, Action<Scrape> metrics)
    {
        (HttpStatusCode status, JsonElement body) = await FaultScenario.ReadinessAsync(server);
        Assert.True(status == HttpStatusCode.OK, $"not ready: {body}");
        readiness(body);
        metrics(await FaultScenario.ScrapeAsync(server));
    }
}
