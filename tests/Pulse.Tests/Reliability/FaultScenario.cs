using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Pulse.Tests.EndToEnd;
using Pulse.Tests.Metrics;

namespace Pulse.Tests.Reliability;

/// <summary>
/// What every storage-fault test does around its damage: a seeded workload sent to a real server
/// over one partition (so the log's offsets are the order the events were sent in), the server
/// stopped or killed, then started again over the damaged directory and compared with the ground
/// truth of the events that survived.
/// </summary>
internal sealed class FaultScenario : IDisposable
{
    /// <summary>
    /// One partition of small segments, so a few thousand events fill a dozen sealed ones; no
    /// checkpoint before the stop, so the restart replays — and so reads — every record.
    /// </summary>
    public static readonly string[] ReplayEverything =
    [
        "--Pulse:Log:Partitions=1", "--Pulse:Log:SegmentBytes=65536",
        "--Pulse:Processing:CheckpointInterval=01:00:00", "--Pulse:Processing:RollupCheckpointInterval=01:00:00",
    ];

    private readonly TempDirectory _directory;

    private FaultScenario(TempDirectory directory, Workload workload, int heldBack)
    {
        _directory = directory;
        Data = Path.Combine(directory.Path, "data");
        All = workload.Events;
        Before = workload.Events.GetRange(0, workload.Events.Count - heldBack);
        After = workload.Events.GetRange(workload.Events.Count - heldBack, heldBack);
    }

    public string Data { get; }

    public string Root => _directory.Path;

    /// <summary>Every generated event.</summary>
    public List<TruthEvent> All { get; }

    /// <summary>The events sent before the damage.</summary>
    public List<TruthEvent> Before { get; }

    /// <summary>Events kept back to show the restarted server takes (and counts) new traffic.</summary>
    public List<TruthEvent> After { get; }

    public long From => GroundTruth.AlignDown(All.Min(e => e.Ts), 3_600_000);

    public long To => GroundTruth.AlignDown(All.Max(e => e.Ts), 3_600_000) + 3_600_000;

    public static async Task<FaultScenario> CreateAsync(string name, int seed, int count, int heldBack = 200)
    {
        var directory = new TempDirectory("pulse-" + name);
        long start = GroundTruth.AlignDown(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (2 * 3_600_000), 3_600_000);
        Workload workload = await Workload.GenerateAsync(directory.Path, seed, count, start, users: 400);
        return new FaultScenario(directory, workload, heldBack);
    }

    /// <summary>Sends the events in order, one batch at a time, each acknowledged before the next.</summary>
    public static async Task SendAsync(PulseProcess server, IReadOnlyList<TruthEvent> events, int batch = 250)
    {
        var client = new MetricsClient(server.CreateClient());
        for (int i = 0; i < events.Count; i += batch)
        {
            IEnumerable<TruthEvent> slice = events.Skip(i).Take(batch);
            (HttpStatusCode status, JsonElement body) = await client.PostNdjsonAsync(string.Join('\n', slice.Select(e => e.Line)) + "\n");
            Assert.True(status == HttpStatusCode.Accepted, $"batch at {i}: {(int)status} {body}");
        }
    }

    /// <summary>
    /// Reads partition 0's files and checks the premise the expected totals rest on: record k holds
    /// the k-th event sent.
    /// </summary>
    public List<SegmentFile> ReadLog(int expectedRecords)
    {
        List<SegmentFile> segments = LogFiles.Read(Data);
        List<StoredRecord> records = [.. segments.SelectMany(s => s.Records)];
        Assert.Equal(expectedRecords, records.Count);
        for (int k = 0; k < records.Count; k++)
        {
            Assert.Equal(k, records[k].Offset);
            Assert.True(records[k].Holds(All[k].Id), $"record {k} does not hold event {All[k].Id}");
        }

        Assert.True(segments.Count >= 6, $"only {segments.Count} segments: the faults need sealed ones in the middle");
        return segments;
    }

    /// <summary>Waits until the events total is <paramref name="expected"/>, then checks every metric against the events given.</summary>
    public async Task AssertExactAsync(PulseProcess server, IReadOnlyList<TruthEvent> intact)
    {
        var client = new MetricsClient(server.CreateClient());
        await client.WaitForTotalAsync(From, To, intact.Count, TimeSpan.FromSeconds(30));
        await GroundTruth.AssertEngineMatchesAsync(client, intact);
    }

    /// <summary>The engine's events total over the workload's range.</summary>
    public async Task<long> CountedAsync(PulseProcess server)
    {
        var client = new MetricsClient(server.CreateClient());
        return (long)(await client.TotalsAsync("events", From, To))[""];
    }

    /// <summary>Restarts over the damaged directory; returns the server and how long it took to answer ready.</summary>
    public async Task<(PulseProcess Server, long ReadyMs)> RestartAsync(params string[] settings)
    {
        var watch = Stopwatch.StartNew();
        PulseProcess server = await PulseProcess.StartAsync(Data, null, settings);
        return (server, watch.ElapsedMilliseconds);
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> ReadinessAsync(PulseProcess server)
    {
        using HttpClient http = server.CreateClient();
        using HttpResponseMessage response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    public static async Task<Scrape> ScrapeAsync(PulseProcess server)
    {
        using HttpClient http = server.CreateClient();
        return await Scrape.TakeAsync(http);
    }

    public void Dispose() => _directory.Dispose();
}
