using System.Diagnostics;
using System.Net;

namespace Pulse.Bench;

/// <summary>Issues <c>GET /v1/realtime</c> at a steady rate until stopped and records each latency.</summary>
internal static class RealtimePoller
{
    public static async Task<double[]> RunAsync(IngestClient client, double requestsPerSecond, CancellationToken stop)
    {
        var latencies = new LatencySamples(1 << 16);
        byte[] response = new byte[64 * 1024];
        TimeSpan period = TimeSpan.FromSeconds(1 / requestsPerSecond);
        long start = Stopwatch.GetTimestamp();
        for (long k = 0; !stop.IsCancellationRequested; k++)
        {
            TimeSpan wait = (period * k) - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            long sent = Stopwatch.GetTimestamp();
            try
            {
                (HttpStatusCode status, _) = await client.GetAsync("/v1/realtime", response, CancellationToken.None).ConfigureAwait(false);
                if (status == HttpStatusCode.OK)
                {
                    latencies.RecordSince(sent);
                }
            }
            catch (HttpRequestException)
            {
            }
        }

        return latencies.Sorted();
    }
}
