using System.Diagnostics;
using Pulse.Tests.EndToEnd;

namespace Pulse.Tests.Reliability;

/// <summary>
/// Soak: half the node's capacity for 3 minutes (30 in the long form). Memory, open files, threads
/// and acknowledgement latency stay flat, nothing is refused or fails, and every acknowledged
/// event is counted exactly. Log retention runs meanwhile (a small size cap), so segments are
/// rolled and deleted under load.
/// </summary>
[Collection(ReliabilityCollection.Name)]
[Trait("Category", "Reliability")]
public sealed class SoakTests
{
    [Fact]
    public async Task Half_the_capacity_for_minutes_keeps_memory_handles_and_latency_flat_with_zero_errors()
    {
        TimeSpan duration = ReliabilityMode.Pick(TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(30));
        TimeSpan window = ReliabilityMode.Pick(TimeSpan.FromSeconds(15), TimeSpan.FromMinutes(1));
        using var dir = new TempDirectory("pulse-soak");
        SyntheticBodies bodies = SyntheticBodies.Create(seed: 8601, bodies: 64, eventsPerBody: 500, hourStartMs: null, users: 200_000);
        long from = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        await using PulseProcess server = await PulseProcess.StartAsync(Path.Combine(dir.Path, "data"), null,
            "--Pulse:Log:SegmentBytes=16777216", "--Pulse:Log:RetentionBytesPerPartition=67108864");
        using var ingest = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = OpenLoopLoad.MaxOutstanding })
        {
            BaseAddress = server.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        var load = new OpenLoopLoad(ingest, bodies);
        // The capacity that can be sustained: what the node acknowledges minus the growth of its
        // processing backlog over the same window (acknowledging alone outruns processing, and half
        // of that was shed now and then once processing took its share of the CPU).
        using HttpClient queries = server.CreateClient();
        var client = new MetricsClient(queries);
        await load.MeasureCapacityAsync(senders: 8, TimeSpan.FromSeconds(3));
        long lagBefore = await LagAsync(client);
        var measuring = Stopwatch.StartNew();
        double acknowledgedRate = await load.MeasureCapacityAsync(senders: 8, TimeSpan.FromSeconds(8));
        double backlogGrowth = (await LagAsync(client) - lagBefore) / (double)bodies.EventsPerBody / measuring.Elapsed.TotalSeconds;
        double capacity = acknowledgedRate - Math.Max(0, backlogGrowth);
        double rate = capacity / 2;
        await client.WaitForTotalAsync(from, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 60_000,
            Enumerable.Range(0, SyntheticBodies.TypeNames.Count).Sum(load.AcceptedEvents), TimeSpan.FromSeconds(120));

        // Windows of the soak: the load offered for one window at a time, the process read after each.
        var samples = new List<(ProcessFigures Process, double AckP99, int Answers)>();
        var clock = Stopwatch.StartNew();
        int seen = load.Answers().Length;
        while (clock.Elapsed < duration)
        {
            await load.OfferAsync(rate, window);
            (long At, bool Shed, double Ms)[] answers = load.Answers();
            double[] latencies = [.. answers.Skip(seen).Select(a => a.Ms)];
            seen = answers.Length;
            samples.Add((ProcessFigures.Read(server.ProcessId), QueryProbe.Percentile(latencies, 0.99), latencies.Length));
        }

        long acknowledged = Enumerable.Range(0, SyntheticBodies.TypeNames.Count).Sum(load.AcceptedEvents);
        long to = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 60_000;
        await client.WaitForTotalAsync(from, to, acknowledged, TimeSpan.FromSeconds(120));

        // Flat: the last window against the first after warm-up (the first window fills caches,
        // dictionaries and the dedupe window; it is the baseline, not part of the trend).
        (ProcessFigures first, double firstP99, _) = samples[Math.Min(1, samples.Count - 1)];
        (ProcessFigures last, double lastP99, _) = samples[^1];
        long peakRss = samples.Max(s => s.Process.RssBytes);
        ReliabilityFigures.Record("soak", "half the capacity for minutes: RSS, handles, threads and latency flat, zero errors", [
            new("minutes", duration.TotalMinutes),
            new("capacity events/s (acknowledged − backlog growth)", capacity * bodies.EventsPerBody),
            new("events/s offered", rate * bodies.EventsPerBody),
            new("events acknowledged", acknowledged),
            new("refused", load.ShedBatches),
            new("errors", load.Unexpected),
            new("RSS first → last MB", $"{first.RssBytes >> 20} → {last.RssBytes >> 20}"),
            new("RSS peak MB", peakRss >> 20),
            new("open files first → last", $"{first.OpenFiles} → {last.OpenFiles}"),
            new("sockets first → last", $"{first.Sockets} → {last.Sockets}"),
            new("threads first → last", $"{first.Threads} → {last.Threads}"),
            new("ack p99 first → last ms", $"{firstP99:F1} → {lastP99:F1}"),
            new("ack p99 worst window ms", samples.Max(s => s.AckP99)),
        ]);
        Assert.True(load.Unexpected == 0, $"{load.Unexpected} requests failed; first: {load.FirstUnexpected}");
        Assert.True(load.ShedBatches == 0, $"{load.ShedBatches} requests were refused at half the capacity");
        Assert.True(load.NotOffered == 0, $"{load.NotOffered} batches could not be offered: {OpenLoopLoad.MaxOutstanding} requests were in flight at half the capacity");
        // Bounds with room for a 2-core machine shared with the load generator: what they catch is a
        // trend — a leak of memory, descriptors or threads, or latency that climbs with time.
        Assert.True(last.RssBytes <= (first.RssBytes * 1.25) + (64L << 20), $"RSS grew from {first.RssBytes >> 20} MB to {last.RssBytes >> 20} MB");
        Assert.True(last.OpenFiles <= first.OpenFiles + 16, $"open files grew from {first.OpenFiles} to {last.OpenFiles}");
        Assert.True(last.Sockets <= OpenLoopLoad.MaxOutstanding + 16, $"{last.Sockets} sockets open for at most {OpenLoopLoad.MaxOutstanding} client connections");
        Assert.True(last.Threads <= first.Threads + 16, $"threads grew from {first.Threads} to {last.Threads}");
        Assert.True(lastP99 <= Math.Max(3 * firstP99, firstP99 + 100), $"ack p99 climbed from {firstP99:F1} ms to {lastP99:F1} ms");
    }

    private static async Task<long> LagAsync(MetricsClient client) =>
        (await client.GetJsonAsync("/v1/realtime")).GetProperty("pipeline").GetProperty("lag_events").GetInt64();
}
