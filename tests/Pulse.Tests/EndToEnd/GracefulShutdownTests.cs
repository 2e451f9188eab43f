using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Pulse.Tests.EndToEnd;

/// <summary>SIGTERM on a real server: stop accepting, drain in-flight requests, checkpoint, exit within the configured bound.</summary>
[Trait("Category", "EndToEnd")]
public sealed class GracefulShutdownTests
{
    private static readonly long Start = GroundTruth.AlignDown(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (3 * 3_600_000), 3_600_000);

    [Fact]
    public async Task Sigterm_under_load_loses_no_acknowledged_event()
    {
        using var dir = new TempDirectory("pulse-sigterm");
        Workload workload = await Workload.GenerateAsync(dir.Path, seed: 23, count: 30_000, Start);
        string data = Path.Combine(dir.Path, "data");
        var batches = workload.Batches(250);
        var acknowledged = new HashSet<int>();
        int port = PulseProcess.FreePort();
        TimeSpan stopTook;

        await using (PulseProcess server = await PulseProcess.StartAsync(data, port, "--Pulse:ShutdownTimeout=00:00:05"))
        {
            using HttpClient http = server.CreateClient();
            var client = new MetricsClient(http);
            int next = -1;
            async Task Sender()
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < batches.Count)
                {
                    try
                    {
                        (HttpStatusCode status, JsonElement body) = await client.PostNdjsonAsync(batches[i].Body);
                        if (status == HttpStatusCode.Accepted)
                        {
                            Assert.Equal(batches[i].Events.Count, body.GetProperty("accepted").GetInt32() + body.GetProperty("duplicates").GetInt32());
                            lock (acknowledged)
                            {
                                acknowledged.Add(i);
                            }
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

            Task[] senders = [.. Enumerable.Range(0, 6).Select(_ => Sender())];
            while (Volatile.Read(ref next) < batches.Count / 3)
            {
                await Task.Delay(5);
            }

            var watch = Stopwatch.StartNew();
            await server.StopAsync();
            stopTook = watch.Elapsed;
            await Task.WhenAll(senders);
            Assert.Equal(0, server.ExitCode);
            Assert.Contains("Engine stopped cleanly after a final checkpoint", server.Output, StringComparison.Ordinal);
        }

        Assert.True(stopTook < TimeSpan.FromSeconds(5 + 3), $"stopping took {stopTook}");
        Assert.InRange(acknowledged.Count, 1, batches.Count - 1);
        await using (PulseProcess restarted = await PulseProcess.StartAsync(data, port))
        {
            using HttpClient http = restarted.CreateClient();
            var client = new MetricsClient(http);
            // Every acknowledged batch is already stored: sent again, it is all duplicates.
            foreach ((int index, string body, List<TruthEvent> events) in batches)
            {
                (HttpStatusCode status, JsonElement response) = await client.PostNdjsonAsync(body);
                Assert.Equal(HttpStatusCode.Accepted, status);
                if (acknowledged.Contains(index))
                {
                    Assert.Equal(events.Count, response.GetProperty("duplicates").GetInt32());
                }
            }

            long from = GroundTruth.AlignDown(workload.MinTs, 3_600_000);
            long to = GroundTruth.AlignDown(workload.MaxTs, 3_600_000) + 3_600_000;
            await client.WaitForTotalAsync(from, to, workload.Events.Count, TimeSpan.FromSeconds(30));
            await GroundTruth.AssertEngineMatchesAsync(client, workload.Events);
        }
    }

    [Fact]
    public async Task A_stalled_request_does_not_hold_shutdown_past_the_timeout()
    {
        using var dir = new TempDirectory("pulse-sigterm");
        await using PulseProcess server = await PulseProcess.StartAsync(Path.Combine(dir.Path, "data"), null, "--Pulse:ShutdownTimeout=00:00:02");

        // A request that announces a body and never sends it stays in flight until shutdown gives up on it.
        using var stalled = new TcpClient();
        await stalled.ConnectAsync(IPAddress.Loopback, server.Port);
        NetworkStream stream = stalled.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{\"type\":"));
        await stream.FlushAsync();
        await Task.Delay(300);

        var watch = Stopwatch.StartNew();
        await server.StopAsync();
        TimeSpan took = watch.Elapsed;
        Assert.Equal(0, server.ExitCode);
        Assert.True(took >= TimeSpan.FromSeconds(1.5), $"stopped in {took}: the stalled request was not waited for");
        Assert.True(took < TimeSpan.FromSeconds(2 + 4), $"stopping took {took}, past the 2 s bound");
        Assert.Contains("Engine stopped cleanly after a final checkpoint", server.Output, StringComparison.Ordinal);
    }
}
