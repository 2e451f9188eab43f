using System.Net;
using System.Text.Json;

namespace Pulse.Tests.EndToEnd;

/// <summary>The whole engine as a real process on loopback, against ground truth computed here.</summary>
[Trait("Category", "EndToEnd")]
public sealed class EngineEndToEndTests
{
    private static readonly long Start = GroundTruth.AlignDown(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (3 * 3_600_000), 3_600_000);

    [Fact]
    public async Task Generated_workload_matches_ground_truth_is_idempotent_and_survives_restart()
    {
        using var dir = new TempDirectory();
        Workload workload = await Workload.GenerateAsync(dir.Path, seed: 42, count: 20_000, Start);
        string data = Path.Combine(dir.Path, "data");
        long from = GroundTruth.AlignDown(workload.MinTs, 3_600_000);
        long to = GroundTruth.AlignDown(workload.MaxTs, 3_600_000) + 3_600_000;

        Dictionary<string, string> answers;
        await using (PulseProcess server = await PulseProcess.StartAsync(data))
        {
            using HttpClient http = server.CreateClient();
            var client = new MetricsClient(http);
            var batches = workload.Batches(1000);
            foreach ((_, string body, List<TruthEvent> events) in batches)
            {
                (HttpStatusCode status, JsonElement response) = await client.PostNdjsonAsync(body);
                Assert.Equal(HttpStatusCode.Accepted, status);
                Assert.Equal(events.Count, response.GetProperty("accepted").GetInt32());
            }

            // The same batch again: acknowledged as duplicates, counted once.
            (HttpStatusCode again, JsonElement repeat) = await client.PostNdjsonAsync(batches[3].Body);
            Assert.Equal(HttpStatusCode.Accepted, again);
            Assert.Equal(0, repeat.GetProperty("accepted").GetInt32());
            Assert.Equal(batches[3].Events.Count, repeat.GetProperty("duplicates").GetInt32());

            await client.WaitForTotalAsync(from, to, workload.Events.Count, TimeSpan.FromSeconds(30));
            await GroundTruth.AssertEngineMatchesAsync(client, workload.Events);
            answers = await SnapshotAnswersAsync(client, from, to);
            await server.StopAsync();
        }

        await using (PulseProcess restarted = await PulseProcess.StartAsync(data))
        {
            using HttpClient http = restarted.CreateClient();
            var client = new MetricsClient(http);
            Assert.Equal(answers, await SnapshotAnswersAsync(client, from, to));
            await GroundTruth.AssertEngineMatchesAsync(client, workload.Events);
        }
    }

    [Theory]
    [InlineData(0, new string[0])]
    // Paced, with checkpoints every 100 ms and rollups every 500 ms: the kill falls after several
    // seconds-only checkpoints, so the restart replays from an older full one.
    [InlineData(150, new[] { "--Pulse:Processing:CheckpointInterval=00:00:00.100", "--Pulse:Processing:RollupCheckpointInterval=00:00:00.500" })]
    public async Task Kill_9_mid_stream_counts_every_acknowledged_event_exactly_once(int senderPauseMs, string[] settings)
    {
        using var dir = new TempDirectory();
        Workload workload = await Workload.GenerateAsync(dir.Path, seed: 7, count: 30_000, Start);
        string data = Path.Combine(dir.Path, "data");
        var batches = workload.Batches(500);
        var acknowledged = new HashSet<int>();
        int port = PulseProcess.FreePort();

        await using (PulseProcess server = await PulseProcess.StartAsync(data, port, settings))
        {
            using HttpClient http = server.CreateClient();
            var client = new MetricsClient(http);
            // Four concurrent senders; the server is killed while requests are in flight.
            int next = -1;
            async Task Sender()
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < batches.Count)
                {
                    try
                    {
                        (HttpStatusCode status, _) = await client.PostNdjsonAsync(batches[i].Body);
                        if (status == HttpStatusCode.Accepted)
                        {
                            lock (acknowledged)
                            {
                                acknowledged.Add(i);
                            }
                        }

                        if (senderPauseMs > 0)
                        {
                            await Task.Delay(senderPauseMs);
                        }
                    }
                    catch (HttpRequestException)
                    {
                    }
                    catch (TaskCanceledException)
                    {
                    }
                }
            }

            Task[] senders = [Sender(), Sender(), Sender(), Sender()];
            while (Volatile.Read(ref next) < batches.Count / 2)
            {
                await Task.Delay(5);
            }

            await server.KillAsync();
            await Task.WhenAll(senders);
        }

        Assert.InRange(acknowledged.Count, 1, batches.Count - 1);
        await using (PulseProcess restarted = await PulseProcess.StartAsync(data, port, settings))
        {
            using HttpClient http = restarted.CreateClient();
            var client = new MetricsClient(http);
            // The client retries everything it has no acknowledgement for, plus some acknowledged
            // batches whose answers it "lost": the retried events must not be counted twice.
            int retriedAcknowledged = 0;
            foreach ((int index, string body, List<TruthEvent> events) in batches)
            {
                bool wasAcknowledged = acknowledged.Contains(index);
                if (wasAcknowledged && index % 5 != 0)
                {
                    continue;
                }

                (HttpStatusCode status, JsonElement response) = await client.PostNdjsonAsync(body);
                Assert.Equal(HttpStatusCode.Accepted, status);
                if (wasAcknowledged)
                {
                    retriedAcknowledged++;
                    Assert.Equal(events.Count, response.GetProperty("duplicates").GetInt32());
                }
            }

            Assert.True(retriedAcknowledged > 0);
            long from = GroundTruth.AlignDown(workload.MinTs, 3_600_000);
            long to = GroundTruth.AlignDown(workload.MaxTs, 3_600_000) + 3_600_000;
            await client.WaitForTotalAsync(from, to, workload.Events.Count, TimeSpan.FromSeconds(30));
            await GroundTruth.AssertEngineMatchesAsync(client, workload.Events);
        }
    }

    internal static async Task<Dictionary<string, string>> SnapshotAnswersAsync(MetricsClient client, long from, long to)
    {
        var answers = new Dictionary<string, string>();
        foreach (string path in (string[])[
            MetricsClient.MetricPath("events", from, to, "1m", "type", null, null),
            MetricsClient.MetricPath("revenue", from, to, "1h", "country", null, null),
            MetricsClient.MetricPath("unique_users", from, to, "5m", null, null, null),
            MetricsClient.MetricPath("page_views", from, to, null, "page", null, 20),
            MetricsClient.MetricPath("late_events", from, to, null, "type", null, null),
        ])
        {
            JsonElement result = await client.GetJsonAsync(path);
            // The watermark is the only field allowed to move between runs.
            answers[path] = result.GetProperty("series").GetRawText();
        }

        return answers;
    }
}
