using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Pulse.Tests.EndToEnd;
using Pulse.Tests.Metrics;

namespace Pulse.Tests.Reliability;

/// <summary>
/// A full disk (issue 8, storage faults): the free-space floor refuses appends before a write can
/// tear, and a disk that really runs out (ENOSPC, on a small tmpfs) fails writes that are cut back
/// and refused — in both cases with 503 and Retry-After, reported in readiness, logs and metrics,
/// without a crash, with every acknowledged event counted exactly and appends taken again once
/// there is room.
/// </summary>
[Collection(ReliabilityCollection.Name)]
[Trait("Category", "Reliability")]
public sealed class FullDiskTests
{
    private static readonly string[] OnePartition = ["--Pulse:Log:Partitions=1"];

    [Fact]
    public async Task Under_the_free_disk_floor_a_restarted_server_serves_its_data_refuses_appends_and_takes_them_once_there_is_room()
    {
        using FaultScenario scenario = await FaultScenario.CreateAsync("floor", seed: 95, ReliabilityMode.Pick(2000, 20_000));
        await using (PulseProcess server = await PulseProcess.StartAsync(scenario.Data, null, OnePartition))
        {
            await FaultScenario.SendAsync(server, scenario.Before);
            await scenario.AssertExactAsync(server, scenario.Before);
            await server.KillAsync();
        }

        var watch = Stopwatch.StartNew();
        int refused = 0;
        await using (PulseProcess full = await PulseProcess.StartLiveAsync(scenario.Data, [.. OnePartition, $"--Pulse:Log:MinFreeDiskBytes={long.MaxValue}"]))
        {
            long liveMs = watch.ElapsedMilliseconds;
            (HttpStatusCode status, JsonElement readiness) = await FaultScenario.ReadinessAsync(full);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Contains("below it appends are refused", readiness.GetProperty("checks").GetProperty("log").GetProperty("description").GetString(), StringComparison.Ordinal);

            // Queries keep answering, exactly, from what the log and store hold.
            await scenario.AssertExactAsync(full, scenario.Before);
            var client = new MetricsClient(full.CreateClient());
            for (int i = 0; i < 3; i++)
            {
                using var content = new StringContent(scenario.After[i].Line, System.Text.Encoding.UTF8, "application/json");
                using HttpResponseMessage response = await client.Http.PostAsync(new Uri("/v1/events", UriKind.Relative), content);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, $"Retry-After: {response.Headers.RetryAfter}");
                refused++;
            }

            Scrape scrape = await FaultScenario.ScrapeAsync(full);
            Assert.Equal(refused, scrape.Value("pulse_ingest_requests_rejected_total{reason=\"unavailable\"}"));
            Assert.True(scrape.Sum("pulse_disk_free_bytes") > 0);
            await scenario.AssertExactAsync(full, scenario.Before);
            Assert.False(full.HasExited);
            await full.StopAsync();
            Assert.Equal(0, full.ExitCode);

            await using PulseProcess roomy = await PulseProcess.StartAsync(scenario.Data, null, OnePartition);
            await FaultScenario.SendAsync(roomy, scenario.After);
            await scenario.AssertExactAsync(roomy, scenario.All);
            long counted = await scenario.CountedAsync(roomy);
            ReliabilityFigures.Record("full-disk-floor", "Under the free-space floor the node is not ready, refuses appends with 503 + Retry-After, keeps answering queries exactly, and takes appends again with room.",
            [
                new("faults injected", 1),
                new("events at stake", scenario.All.Count),
                new("appends refused", refused),
                new("lost", Math.Max(0, scenario.All.Count - counted)),
                new("double-counted", Math.Max(0, counted - scenario.All.Count)),
                new("live after (ms)", liveMs),
            ]);
        }
    }

    [Fact]
    public async Task A_disk_that_runs_out_refuses_appends_without_tearing_the_log_and_recovers_when_space_returns()
    {
        using FaultScenario scenario = await FaultScenario.CreateAsync("enospc", seed: 96, ReliabilityMode.Pick(3000, 20_000), heldBack: 1000);
        string mount = Path.Combine(scenario.Root, "tmpfs");
        Directory.CreateDirectory(mount);
        // Real ENOSPC needs a small file system of its own; mounting one needs root, which the
        // machines and CI here have (docs/reliability.md says what a non-root run would need).
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mount);
        try
        {
            string data = Path.Combine(mount, "data");
            string[] settings =
            [
                .. OnePartition, "--Pulse:Log:SegmentBytes=1048576",
                "--Pulse:Log:MinFreeDiskBytes=0", "--Pulse:Health:DiskFreeUnhealthyBytes=0", "--Pulse:Health:DiskFreeDegradedBytes=0",
            ];
            List<(string Body, TruthEvent[] Events)> batches = [.. scenario.After.Chunk(100).Select(c => (string.Join('\n', c.Select(e => e.Line)) + "\n", c))];
            var acknowledged = new List<TruthEvent>(scenario.Before);
            int refused = 0;
            long recoverMs;
            await using (PulseProcess server = await PulseProcess.StartAsync(data, null, settings))
            {
                await FaultScenario.SendAsync(server, scenario.Before);
                var client = new MetricsClient(server.CreateClient());
                await client.WaitForTotalAsync(scenario.From, scenario.To, acknowledged.Count, TimeSpan.FromSeconds(30));

                string filler = Path.Combine(mount, "filler");
                Fill(filler);
                var pending = new Queue<int>(Enumerable.Range(0, batches.Count));
                // While the disk is full: every answer is 202 (the write fitted) or 503, never anything else.
                while (pending.Count > 0 && refused < 5)
                {
                    int i = pending.Peek();
                    (HttpStatusCode status, JsonElement body) = await client.PostNdjsonAsync(batches[i].Body);
                    Assert.True(status is HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable, $"{(int)status}: {body}");
                    if (status == HttpStatusCode.Accepted)
                    {
                        acknowledged.AddRange(batches[pending.Dequeue()].Events);
                        continue;
                    }

                    refused++;
                }

                Assert.True(refused > 0, "no append was refused: the disk never filled");
                (HttpStatusCode ready, JsonElement readiness) = await FaultScenario.ReadinessAsync(server);
                Assert.True(ready == HttpStatusCode.ServiceUnavailable, $"ready on a full disk: {readiness}");
                Assert.Contains("No space left on device", readiness.ToString(), StringComparison.Ordinal);
                Scrape scrape = await FaultScenario.ScrapeAsync(server);
                Assert.True(scrape.Value("pulse_log_write_errors_total{partition=\"0\"}") >= 1);
                Assert.Equal(1, scrape.Value("pulse_log_writable{partition=\"0\"}"));
                Assert.Contains("write or fsync failed", server.Output, StringComparison.Ordinal);
                await client.WaitForTotalAsync(scenario.From, scenario.To, acknowledged.Count, TimeSpan.FromSeconds(30));

                // Space comes back: the refused batches go in on retry, and the node is ready again.
                File.Delete(filler);
                var watch = Stopwatch.StartNew();
                while (pending.Count > 0)
                {
                    int i = pending.Peek();
                    (HttpStatusCode status, _) = await client.PostNdjsonAsync(batches[i].Body);
                    if (status == HttpStatusCode.Accepted)
                    {
                        acknowledged.AddRange(batches[pending.Dequeue()].Events);
                        continue;
                    }

                    Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "appends still refused 30 s after space returned");
                    await Task.Delay(100);
                }

                recoverMs = watch.ElapsedMilliseconds;
                Assert.Equal(HttpStatusCode.OK, (await FaultScenario.ReadinessAsync(server)).Status);
                await client.WaitForTotalAsync(scenario.From, scenario.To, acknowledged.Count, TimeSpan.FromSeconds(30));
                await server.KillAsync();
            }

            // Everything acknowledged through the episode is in the log, once: a restart counts it exactly.
            Assert.Equal(scenario.All.Count, acknowledged.Count);
            await using PulseProcess again = await PulseProcess.StartAsync(data, null, settings);
            await scenario.AssertExactAsync(again, acknowledged);
            long counted = await scenario.CountedAsync(again);
            await again.StopAsync();
            ReliabilityFigures.Record("full-disk-enospc", "A disk that really runs out (ENOSPC on a 24 MiB tmpfs): appends refused with 503, not ready, no torn log; exact totals after space returns and a kill -9.",
            [
                new("faults injected", 1),
                new("events at stake", scenario.All.Count),
                new("appends refused", refused),
                new("lost", Math.Max(0, acknowledged.Count - counted)),
                new("double-counted", Math.Max(0, counted - acknowledged.Count)),
                new("appends taken again after (ms)", recoverMs),
            ]);
        }
        finally
        {
            await RunAsync("umount", "-l", mount);
        }
    }

    /// <summary>Writes zeros until the file system refuses another byte.</summary>
    private static void Fill(string path)
    {
        byte[] chunk = new byte[64 * 1024];
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        try
        {
            while (true)
            {
                file.Write(chunk);
            }
        }
        catch (IOException)
        {
        }

        for (int size = chunk.Length / 2; size > 0; size /= 2)
        {
            try
            {
                file.Write(chunk.AsSpan(0, size));
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task RunAsync(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info)!;
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', args)} failed ({process.ExitCode}): {error}");
    }
}
