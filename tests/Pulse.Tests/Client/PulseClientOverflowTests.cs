using Pulse.Client;
using Pulse.Tests.EndToEnd;

namespace Pulse.Tests.Client;

/// <summary>
/// The queue is bounded: while the server holds a request, a full queue drops new events and
/// counts them (drop-newest) or makes tracking wait (wait) — never grows.
/// </summary>
[Collection(ClientServerCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class PulseClientOverflowTests(ServerFixture fixture)
{
    [Fact]
    public async Task Drop_newest_refuses_events_past_the_capacity_and_counts_them()
    {
        var run = new ClientRun(fixture.Server);
        await using FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server.BaseAddress);
        var held = new ProxyFault(ProxyFaultKind.Hold);
        proxy.Enqueue(held);
        PulseClientOptions options = run.Options(proxy.BaseAddress);
        options.MaxBatchSize = 1;
        options.QueueCapacity = 3;
        options.OverflowPolicy = QueueOverflowPolicy.DropNewest;
        await using (var client = new PulseClient(options))
        {
            // The first event is taken from the queue and its request is held by the proxy.
            client.TryTrack(run.NewEvent());
            await held.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
            bool[] queued = [client.TryTrack(run.NewEvent()), client.TryTrack(run.NewEvent()), client.TryTrack(run.NewEvent())];
            bool[] overflow = [client.TryTrack(run.NewEvent()), client.TryTrack(run.NewEvent())];
            await client.TrackAsync(run.NewEvent());
            Assert.Equal([true, true, true], queued);
            Assert.Equal([false, false], overflow);
            Assert.Equal((3, 3), (client.Statistics.Queued, client.Statistics.Dropped));

            held.Release.SetResult();
            await client.FlushAsync();
            Assert.Equal((4, 3, 0), (client.Statistics.Accepted, client.Statistics.Dropped, client.Statistics.Queued));
        }

        Assert.Equal(new Dictionary<string, decimal> { [ClientRun.EventType] = 4 }, await run.CountedAsync());
    }

    [Fact]
    public async Task Wait_makes_tracking_wait_for_room_and_drops_nothing()
    {
        var run = new ClientRun(fixture.Server);
        await using FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server.BaseAddress);
        var held = new ProxyFault(ProxyFaultKind.Hold);
        proxy.Enqueue(held);
        PulseClientOptions options = run.Options(proxy.BaseAddress);
        options.MaxBatchSize = 1;
        options.QueueCapacity = 2;
        options.OverflowPolicy = QueueOverflowPolicy.Wait;
        await using (var client = new PulseClient(options))
        {
            await client.TrackAsync(run.NewEvent());
            await held.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await client.TrackAsync(run.NewEvent());
            await client.TrackAsync(run.NewEvent());
            ValueTask waiting = client.TrackAsync(run.NewEvent());
            await Task.Delay(200);
            Assert.False(waiting.IsCompleted, "the queue is full: tracking must wait");

            using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50)))
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await client.TrackAsync(run.NewEvent(), cancel.Token));
            }

            held.Release.SetResult();
            await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            await client.FlushAsync();
            Assert.Equal((4, 0, 0), (client.Statistics.Accepted, client.Statistics.Dropped, client.Statistics.Failed));
        }

        Assert.Equal(new Dictionary<string, decimal> { [ClientRun.EventType] = 4 }, await run.CountedAsync());
    }
}
