using System.Diagnostics;
using Pulse.Tests.EndToEnd;

namespace Pulse.Tests.Reliability;

/// <summary>
/// Overload: twice the load the server can acknowledge, offered open-loop. Pulse must shed with
/// 429/503 and Retry-After rather than queue without bound, keep every acknowledged event (and
/// only those) counted exactly, keep queries fast, and recover by itself once the load drops.
/// </summary>
[Collection(ReliabilityCollection.Name)]
[Trait("Category", "Reliability")]
public sealed class OfferedOverloadTests
{
    [Fact]
    public async Task Twice_the_capacity_is_shed_with_retry_after_acknowledged_events_count_exactly_and_the_node_recovers()
    {
        using var dir = new TempDirectory("pulse-overload");
        long hour = GroundTruth.AlignDown(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (2 * 3_600_000), 3_600_000);
        SyntheticBodies bodies = SyntheticBodies.Create(seed: 8401, bodies: 32, eventsPerBody: 1000, hour, users: 50_000);
        await using PulseProcess server = await PulseProcess.StartAsync(Path.Combine(dir.Path, "data"));
        using var ingest = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = OpenLoopLoad.MaxOutstanding })
        {
            BaseAddress = server.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        using HttpClient queries = server.CreateClient();
        var load = new OpenLoopLoad(ingest, bodies);
        string[] queryPaths = ["/v1/realtime", $"/v1/metrics/events?from={hour}&to={hour + 3_600_000}&step=1m&group_by=type"];
        TimeSpan overload = ReliabilityMode.Pick(TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(60));

        // Unloaded: warm up, then the query baseline.
        await load.MeasureCapacityAsync(senders: 2, TimeSpan.FromSeconds(1));
        await WaitForQuietAsync(queries);
        List<double> unloaded = await QueryProbe.RunAsync(server.BaseAddress, queryPaths, 50, TimeSpan.FromSeconds(3));

        double capacity = await load.MeasureCapacityAsync(senders: 8, TimeSpan.FromSeconds(3));
        long shedBefore = load.ShedBatches;
        // The probe starts a second in, once the overload has built up, and ends before it does.
        Task<List<double>> loadedProbe = Task.Delay(1000).ContinueWith(_ => QueryProbe.RunAsync(server.BaseAddress, queryPaths, 50, overload - TimeSpan.FromSeconds(2)), TaskScheduler.Default).Unwrap();
        await load.OfferAsync(2 * capacity, overload);
        List<double> loaded = await loadedProbe;
        long shed = load.ShedBatches - shedBefore;
        long offeredInOverload = load.Offered;

        // The load drops to half the capacity: shedding must stop by itself.
        long recoveryStart = Stopwatch.GetTimestamp();
        await load.OfferAsync(capacity / 2, ReliabilityMode.Pick(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60)));
        (long At, bool Shed, double Ms)[] answers = load.Answers();
        long lastShed = answers.Where(a => a.Shed && a.At >= recoveryStart).Select(a => a.At).DefaultIfEmpty(recoveryStart).Max();
        double recoveredAfterMs = Stopwatch.GetElapsedTime(recoveryStart, lastShed).TotalMilliseconds;
        int shedAtEnd = answers.Count(a => a.Shed && Stopwatch.GetElapsedTime(a.At).TotalSeconds < 2);

        // Exactly the acknowledged events are counted: none of the shed ones, none twice.
        long from = hour, to = hour + 3_600_000;
        var client = new MetricsClient(queries);
        long acknowledged = Enumerable.Range(0, SyntheticBodies.TypeNames.Count).Sum(load.AcceptedEvents);
        var catchUp = Stopwatch.StartNew();
        await client.WaitForTotalAsync(from, to, acknowledged, TimeSpan.FromSeconds(120));
        double catchUpMs = catchUp.Elapsed.TotalMilliseconds;
        Dictionary<string, decimal> byType = await client.TotalsAsync("events", from, to, "type");
        for (int t = 0; t < SyntheticBodies.TypeNames.Count; t++)
        {
            Assert.Equal(load.AcceptedEvents(t), (long)byType.GetValueOrDefault(SyntheticBodies.TypeNames[t]));
        }

        double p99Unloaded = QueryProbe.Percentile(unloaded, 0.99);
        double p99Loaded = QueryProbe.Percentile(loaded, 0.99);
        ReliabilityFigures.Record("overload", "2× capacity offered open-loop: shed with Retry-After, acknowledged exact, queries fast, recovers alone", [
            new("capacity events/s", capacity * bodies.EventsPerBody),
            new("offered events/s", 2 * capacity * bodies.EventsPerBody),
            new("overload s", overload.TotalSeconds),
            new("batches offered", offeredInOverload),
            new("could not offer (1024 in flight)", load.NotOffered),
            new("shed 429/503", shed),
            new("other answers", load.Unexpected),
            new("events acknowledged", acknowledged),
            new("counted", (long)byType.Values.Sum()),
            new("query p99 unloaded ms", p99Unloaded),
            new("query p50 overloaded ms", QueryProbe.Percentile(loaded, 0.5)),
            new("query p90 overloaded ms", QueryProbe.Percentile(loaded, 0.9)),
            new("query p99 overloaded ms", p99Loaded),
            new("query p99 within 2× unloaded", p99Loaded <= 2 * p99Unloaded ? "yes" : "no"),
            new("last shed after load drop ms", recoveredAfterMs),
            new("lag drained after load ms", catchUpMs),
        ]);
        Assert.True(load.Unexpected == 0, $"{load.Unexpected} answers were neither 202 nor a 429/503 with Retry-After; first: {load.FirstUnexpected}");
        Assert.True(shed > 0, $"nothing was shed at {2 * capacity * bodies.EventsPerBody:F0} events/s offered");
        Assert.True(shedAtEnd == 0, $"{shedAtEnd} requests were still shed in the last 2 s at half the capacity");
        // The target is a p99 within 2× of the unloaded one; the long form holds the node to it. The
        // short form, on a CI machine that also runs the load generator, asserts that queries keep
        // being answered promptly (before admission control some waited 3–10 s).
        double allowed = ReliabilityMode.IsLong ? 2 * p99Unloaded : 2500;
        Assert.True(p99Loaded <= allowed, $"query p99 {p99Loaded:F1} ms under overload (allowed {allowed:F0}), {p99Unloaded:F1} ms unloaded");
    }

    /// <summary>Waits until the processors have caught up with the warm-up, so the baseline is really unloaded.</summary>
    private static async Task WaitForQuietAsync(HttpClient http)
    {
        for (int i = 0; i < 200; i++)
        {
            using var realtime = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri("/v1/realtime", UriKind.Relative)));
            if (realtime.RootElement.GetProperty("pipeline").GetProperty("lag_events").GetInt64() == 0)
            {
                return;
            }

            await Task.Delay(50);
        }
    }
}
