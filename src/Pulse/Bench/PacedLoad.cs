using System.Diagnostics;
using System.Net;

namespace Pulse.Bench;

/// <summary>
/// Open-loop ingest: one request every 1/rate seconds whether or not earlier ones have returned, so
/// a slow acknowledgement cannot slow the load down and hide itself (no coordinated omission).
/// </summary>
internal static class PacedLoad
{
    private const string Ndjson = "application/x-ndjson";

    public static async Task<PacedResult> RunAsync(IngestClient client, BenchBodyPool pool, double requestsPerSecond, TimeSpan duration, CancellationToken cancellationToken)
    {
        int expected = (int)Math.Ceiling(requestsPerSecond * duration.TotalSeconds) + 1;
        var latencies = new LatencySamples(expected);
        var counters = new LoadCounters();
        var inFlight = new List<Task>(expected);
        long start = Stopwatch.GetTimestamp();
        for (int k = 0; k < expected; k++)
        {
            TimeSpan due = TimeSpan.FromSeconds(k / requestsPerSecond);
            if (due >= duration)
            {
                break;
            }

            TimeSpan wait = due - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }

            inFlight.Add(SendOneAsync(client, pool, latencies, counters));
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new PacedResult(latencies.Sorted(), Interlocked.Read(ref counters.Accepted) / seconds, counters.Failures, counters.LastFailure);
    }

    private static async Task SendOneAsync(IngestClient client, BenchBodyPool pool, LatencySamples latencies, LoadCounters counters)
    {
        byte[] response = new byte[4096];
        BenchBody body = await pool.RentAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            long sent = Stopwatch.GetTimestamp();
            (int accepted, HttpStatusCode status) = await client.PostAsync(body.Payload, Ndjson, response, CancellationToken.None).ConfigureAwait(false);
            if (status == HttpStatusCode.Accepted)
            {
                latencies.RecordSince(sent);
                Interlocked.Add(ref counters.Accepted, accepted);
            }
            else
            {
                counters.Fail($"HTTP {(int)status}");
            }
        }
        catch (HttpRequestException ex)
        {
            counters.Fail(ex.Message);
        }
        finally
        {
            pool.Return(body);
        }
    }
}
