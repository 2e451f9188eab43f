using System.Net;
using System.Text.Json;

namespace Pulse.Tests.EndToEnd;

/// <summary>Self-protection on a real server: a full log and a low disk answer 503 with Retry-After, and acknowledge nothing they did not store.</summary>
[Trait("Category", "EndToEnd")]
public sealed class OverloadTests
{
    private static readonly long Start = GroundTruth.AlignDown(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (2 * 3_600_000), 3_600_000);

    [Fact]
    public async Task Under_the_free_disk_floor_appends_are_refused_with_503()
    {
        using var dir = new TempDirectory("pulse-disk");
        // A floor above any disk's free space: every append must be refused, and nothing stored.
        // Readiness says so too (the node cannot take traffic), so the server is only waited for to be live.
        await using PulseProcess server = await PulseProcess.StartLiveAsync(Path.Combine(dir.Path, "data"),
            $"--Pulse:Log:MinFreeDiskBytes={long.MaxValue}");
        using HttpClient http = server.CreateClient();
        var client = new MetricsClient(http);
        using (HttpResponseMessage ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("appends are refused", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var content = new StringContent("""{"type":"page_view","user_id":"disk"}""", System.Text.Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await http.PostAsync(new Uri("/v1/events", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, $"Retry-After: {response.Headers.RetryAfter}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("MinFreeDiskBytes", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);

        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Dictionary<string, decimal> totals = await client.TotalsAsync("events", now - 3_600_000, now + 60_000);
        Assert.Equal(0m, totals[""]);
        Assert.False(server.HasExited);
    }

    [Fact]
    public async Task A_log_that_cannot_keep_up_answers_503_with_retry_after_and_every_acknowledged_event_counts()
    {
        using var dir = new TempDirectory("pulse-backpressure");
        Workload workload = await Workload.GenerateAsync(dir.Path, seed: 11, count: 40_000, Start);
        var batches = workload.Batches(2000);
        // One partition, the smallest pending-bytes limit and no wait for room: a 2000-event append
        // (~600 KB) fills the log until the flusher has written it, and concurrent appends meanwhile
        // must be refused rather than buffered.
        await using PulseProcess server = await PulseProcess.StartAsync(Path.Combine(dir.Path, "data"), null,
            "--Pulse:Log:Partitions=1", "--Pulse:Log:MaxPendingBytes=65536", "--Pulse:Log:AppendTimeout=00:00:00");
        using HttpClient http = server.CreateClient();
        var client = new MetricsClient(http);

        int refused = 0;
        var acknowledged = new List<TruthEvent>();
        var pending = new Queue<int>(Enumerable.Range(0, batches.Count));
        for (int round = 0; round < 50 && pending.Count > 0; round++)
        {
            int[] sending = [.. pending];
            pending.Clear();
            (int Index, HttpResponseMessage Response)[] results = await Task.WhenAll(sending.Select(async i =>
            {
                using var content = new StringContent(batches[i].Body, System.Text.Encoding.UTF8, "application/x-ndjson");
                return (i, await http.PostAsync(new Uri("/v1/events", UriKind.Relative), content));
            }));
            foreach ((int index, HttpResponseMessage response) in results)
            {
                using (response)
                {
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        acknowledged.AddRange(batches[index].Events);
                        continue;
                    }

                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                    Assert.NotNull(response.Headers.RetryAfter);
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                    refused++;
                    pending.Enqueue(index);
                }
            }
        }

        Assert.True(refused > 0, "no request was refused: the test did not overload the log");
        Assert.Empty(pending);
        // Refused batches were retried until accepted; nothing refused was half-stored, so the totals are exact.
        long from = GroundTruth.AlignDown(workload.MinTs, 3_600_000);
        long to = GroundTruth.AlignDown(workload.MaxTs, 3_600_000) + 3_600_000;
        await client.WaitForTotalAsync(from, to, workload.Events.Count, TimeSpan.FromSeconds(30));
        await GroundTruth.AssertEngineMatchesAsync(client, workload.Events);
    }
}
