using System.Diagnostics;
using Pulse.Tests.EndToEnd;
using Pulse.Tests.Store;

namespace Pulse.Tests.Reliability;

/// <summary>
/// Crash loop: a seeded workload sent by retrying clients while the server is killed with SIGKILL
/// at random moments and restarted over the same data. At the end every metric equals the ground
/// truth of the workload exactly — every event was acknowledged once by then, so anything missing
/// was lost and anything extra was counted twice.
/// </summary>
[Collection(ReliabilityCollection.Name)]
[Trait("Category", "Reliability")]
public sealed class CrashLoopTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public Task Embedded_log_and_store_lose_nothing_and_count_nothing_twice_through_kill_9_loops() =>
        new CrashLoop("crash-loop-embedded", seed: 8101, []).RunAsync();

    [Fact]
    public Task Embedded_log_with_the_postgres_store_loses_nothing_and_counts_nothing_twice_through_kill_9_loops() =>
        new CrashLoop("crash-loop-postgres", seed: 8102, ["--store", "postgres", "--postgres", database.ConnectionString]).RunAsync();
}

internal sealed class CrashLoop(string suite, int seed, string[] settings)
{
    private const int Senders = 4;
    private const int BatchSize = 250;
    private static readonly long Start = GroundTruth.AlignDown(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (3 * 3_600_000), 3_600_000);

    private readonly int _kills = ReliabilityMode.Pick(3, 20);
    private readonly int _events = ReliabilityMode.Pick(30_000, 300_000);

    public async Task RunAsync()
    {
        using var dir = new TempDirectory("pulse-crash-loop");
        Workload workload = await Workload.GenerateAsync(dir.Path, seed, _events, Start, users: 3000);
        string data = Path.Combine(dir.Path, "data");
        var batches = workload.Batches(BatchSize);
        int port = PulseProcess.FreePort();
        var random = new Random(seed);
        // Kill points: random shares of the workload acknowledged, at least 3% apart, so every
        // kill lands while the senders are busy and the restarts face different amounts of tail.
        double[] killAt = KillPoints(random, _kills);

        PulseProcess? server = await PulseProcess.StartAsync(data, port, settings);
        var restartMs = new List<double>();
        try
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            var sender = new RetryingSender(http);
            using var cancel = new CancellationTokenSource(ReliabilityMode.Pick(TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(30)));
            int next = -1;
            async Task SendAll()
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < batches.Count)
                {
                    await sender.SendUntilAcknowledgedAsync(batches[i].Body, batches[i].Events.Count, cancel.Token);
                }
            }

            Task sending = Task.WhenAll(Enumerable.Range(0, Senders).Select(_ => Task.Run(SendAll)));
            foreach (double share in killAt)
            {
                while (sender.AcknowledgedEvents < share * workload.Events.Count && !sending.IsCompleted)
                {
                    await Task.Delay(random.Next(1, 10));
                }

                Assert.False(sending.IsCompleted, "the senders finished before every kill was made");
                await server.KillAsync();
                await server.DisposeAsync();
                server = null;
                var down = Stopwatch.StartNew();
                // The clients keep retrying against the dead port meanwhile.
                await Task.Delay(random.Next(0, 300));
                server = await PulseProcess.StartAsync(data, port, settings);
                restartMs.Add(down.Elapsed.TotalMilliseconds);
            }

            await sending;
            var catchUp = Stopwatch.StartNew();
            var client = new MetricsClient(http);
            long from = GroundTruth.AlignDown(workload.MinTs, 3_600_000);
            long to = GroundTruth.AlignDown(workload.MaxTs, 3_600_000) + 3_600_000;
            (long lost, long doubled) = await CompareMinutesAsync(client, workload, from, to, TimeSpan.FromSeconds(60));
            double caughtUpMs = catchUp.Elapsed.TotalMilliseconds;
            ReliabilityFigures.Record(suite, "kill -9 at random moments under retrying clients: zero lost, zero double-counted", [
                new("kills", _kills),
                new("events", workload.Events.Count),
                new("requests", sender.Attempts),
                new("no answer (retried)", sender.ConnectionFailures),
                new("refused 429/503", sender.Refused),
                new("duplicates acknowledged on retry", sender.DuplicatesReported),
                new("lost", lost),
                new("double-counted", doubled),
                new("kill → ready p50 ms", Median(restartMs)),
                new("kill → ready max ms", restartMs.Max()),
                new("last ack → exact totals ms", caughtUpMs),
            ]);
            Assert.True(lost == 0 && doubled == 0, $"{lost} events lost and {doubled} counted twice\n{server!.Output}");
            // Every metric, grouped and filtered, not only the per-minute counts.
            await GroundTruth.AssertEngineMatchesAsync(client, workload.Events);
            Assert.True(sender.ConnectionFailures > 0, "no request ever went unanswered: the kills did not hit traffic");
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
    }

    private static double[] KillPoints(Random random, int kills)
    {
        var points = new double[kills];
        double slot = 0.9 / kills;
        for (int k = 0; k < kills; k++)
        {
            points[k] = 0.05 + (k * slot) + (random.NextDouble() * (slot - 0.03));
        }

        return points;
    }

    /// <summary>
    /// Waits until the per-minute event counts equal the truth, then returns how many events are
    /// missing and how many are extra (summed per minute of event time, so they cannot cancel out).
    /// </summary>
    private static async Task<(long Lost, long Doubled)> CompareMinutesAsync(MetricsClient client, Workload workload, long from, long to, TimeSpan timeout)
    {
        Dictionary<long, int> truth = workload.Events.GroupBy(e => GroundTruth.AlignDown(e.Ts, 60_000)).ToDictionary(g => g.Key, g => g.Count());
        var watch = Stopwatch.StartNew();
        while (true)
        {
            Dictionary<long, decimal> counted = (await client.PointsAsync("events", from, to, "1m")).GetValueOrDefault("") ?? [];
            long lost = 0, doubled = 0;
            foreach (long minute in truth.Keys.Union(counted.Keys))
            {
                long difference = (long)counted.GetValueOrDefault(minute) - truth.GetValueOrDefault(minute);
                lost += Math.Max(0, -difference);
                doubled += Math.Max(0, difference);
            }

            if ((lost == 0 && doubled == 0) || watch.Elapsed > timeout)
            {
                return (lost, doubled);
            }

            await Task.Delay(50);
        }
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
    }
}
