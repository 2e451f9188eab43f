using System.Diagnostics;
using Pulse.Client;
using Pulse.Tests.EndToEnd;

namespace Pulse.Tests.Client;

/// <summary>
/// Retries resend the same event ids, so a batch whose answer was lost after Pulse stored it is
/// counted once; a server's Retry-After is waited out.
/// </summary>
[Collection(ClientServerCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class PulseClientRetryTests(ServerFixture fixture)
{
    [Fact]
    public async Task A_batch_whose_answer_was_lost_after_it_was_stored_is_retried_and_counted_once()
    {
        var run = new ClientRun(fixture.Server);
        await using FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server.BaseAddress);
        proxy.Enqueue(new ProxyFault(ProxyFaultKind.DropAnswer));
        await using (var client = new PulseClient(run.Options(proxy.BaseAddress)))
        {
            for (int i = 0; i < 25; i++)
            {
                client.TryTrack(run.NewEvent());
            }

            await client.FlushAsync();
            PulseClientStatistics stats = client.Statistics;
            // The first answer never arrived; the second says Pulse already had every event.
            Assert.Equal((1, 2, 0, 25), (stats.Retries, stats.Requests, stats.Accepted, stats.Duplicates));
            Assert.Equal(0, stats.Failed);
        }

        Assert.Equal(2, proxy.Requests.Count);
        Assert.Equal(proxy.Requests[0].Body, proxy.Requests[1].Body);
        Assert.Equal(new Dictionary<string, decimal> { [ClientRun.EventType] = 25 }, await run.CountedAsync());
    }

    [Fact]
    public async Task A_503_with_retry_after_is_waited_out_then_retried()
    {
        var run = new ClientRun(fixture.Server);
        await using FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server.BaseAddress);
        proxy.Enqueue(new ProxyFault(ProxyFaultKind.Unavailable, retryAfterSeconds: 1));
        await using (var client = new PulseClient(run.Options(proxy.BaseAddress)))
        {
            client.TryTrack(run.NewEvent());
            client.TryTrack(run.NewEvent());
            await client.FlushAsync();
            PulseClientStatistics stats = client.Statistics;
            Assert.Equal((1, 2, 0), (stats.Retries, stats.Accepted, stats.Duplicates));
        }

        Assert.Equal(2, proxy.Requests.Count);
        // The backoff alone would have waited at most 10 ms; the server asked for a second.
        TimeSpan waited = proxy.Requests[1].ArrivedAt - proxy.Requests[0].ArrivedAt;
        Assert.True(waited >= TimeSpan.FromMilliseconds(950), $"retried after {waited.TotalMilliseconds} ms");
        Assert.Equal(new Dictionary<string, decimal> { [ClientRun.EventType] = 2 }, await run.CountedAsync());
    }

    [Fact]
    public async Task A_server_that_is_down_is_retried_until_the_attempts_run_out_then_counted_as_failed()
    {
        var run = new ClientRun(fixture.Server);
        PulseClientOptions options = run.Options(new Uri($"http://127.0.0.1:{PulseProcess.FreePort()}"));
        options.MaxAttempts = 3;
        await using var client = new PulseClient(options);
        client.TryTrack(run.NewEvent());
        var watch = Stopwatch.StartNew();
        await client.FlushAsync();
        PulseClientStatistics stats = client.Statistics;
        Assert.Equal((3, 2, 1, 0), (stats.Requests, stats.Retries, stats.Failed, stats.Accepted));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Retries_of_a_restarted_server_reuse_the_ids_it_already_stored()
    {
        // Pulse itself stops after storing a batch and comes back on the same port and data: the
        // dedupe memory is rebuilt from the log, so the resent batch is found to be duplicates.
        using var dir = new TempDirectory("pulse-client-restart");
        string data = Path.Combine(dir.Path, "data");
        int port = PulseProcess.FreePort();
        PulseProcess server = await PulseProcess.StartAsync(data, port);
        var run = new ClientRun(server);
        await using FaultProxy proxy = await FaultProxy.StartAsync(server.BaseAddress);
        var dropped = new ProxyFault(ProxyFaultKind.DropAnswer);
        proxy.Enqueue(dropped);
        PulseClientOptions options = run.Options(proxy.BaseAddress);
        options.InitialBackoff = TimeSpan.FromMilliseconds(200);
        options.MaxAttempts = 100;
        try
        {
            await using var client = new PulseClient(options);
            for (int i = 0; i < 10; i++)
            {
                client.TryTrack(run.NewEvent());
            }

            Task flushed = client.FlushAsync();
            await dropped.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await server.StopAsync();
            await server.DisposeAsync();
            server = await PulseProcess.StartAsync(data, port);
            await flushed.WaitAsync(TimeSpan.FromSeconds(60));
            PulseClientStatistics stats = client.Statistics;
            Assert.Equal((0, 10, 0), (stats.Accepted, stats.Duplicates, stats.Failed));
            Assert.Equal(new Dictionary<string, decimal> { [ClientRun.EventType] = 10 }, await run.CountedAsync(server));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
