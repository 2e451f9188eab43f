using System.Diagnostics;
using System.Net;

namespace Pulse.Bench;

/// <summary>
/// Closed-loop ingest: <c>concurrency</c> senders POST 1000-event bodies back to back over keep-alive
/// connections. Counting starts after a warm-up (JIT, connections, first segment files) and stops at
/// the end of the window, so ramp-up and the drain of the last requests are not in the rate.
/// </summary>
internal static class SustainedLoad
{
    private const string Ndjson = "application/x-ndjson";

    public static async Task<SustainedResult> RunAsync(IngestClient client, BenchBodyPool pool, int concurrency, TimeSpan warmup, TimeSpan duration, int serverPid, CancellationToken cancellationToken)
    {
        var counters = new LoadCounters();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var senders = new Task[concurrency];
        for (int i = 0; i < concurrency; i++)
        {
            senders[i] = Task.Run(() => SendLoopAsync(client, pool, counters, stop.Token), CancellationToken.None);
        }

        try
        {
            await Task.Delay(warmup, cancellationToken).ConfigureAwait(false);
            // The processors' backlog at both ends of the window: what was accepted but not processed
            // in it is not a sustainable rate (null for the sink, which has no pipeline).
            PipelineStatus? pipelineBefore = await PipelineStatus.ReadAsync(client, cancellationToken).ConfigureAwait(false);
            long acceptedBefore = Interlocked.Read(ref counters.Accepted);
            long requestsBefore = Interlocked.Read(ref counters.Requests);
            long failuresBefore = Interlocked.Read(ref counters.Failures);
            double serverCpuBefore = ProcessStats.CpuSeconds(serverPid);
            double clientCpuBefore = ProcessStats.CpuSeconds(Environment.ProcessId);
            long windowStart = Stopwatch.GetTimestamp();
            await Task.Delay(duration, cancellationToken).ConfigureAwait(false);
            double seconds = Stopwatch.GetElapsedTime(windowStart).TotalSeconds;
            long accepted = Interlocked.Read(ref counters.Accepted) - acceptedBefore;
            long requests = Interlocked.Read(ref counters.Requests) - requestsBefore;
            long failures = Interlocked.Read(ref counters.Failures) - failuresBefore;
            double serverCpu = ProcessStats.CpuSeconds(serverPid) - serverCpuBefore;
            double clientCpu = ProcessStats.CpuSeconds(Environment.ProcessId) - clientCpuBefore;
            long rss = ProcessStats.ResidentBytes(serverPid);
            PipelineStatus? pipelineAfter = await PipelineStatus.ReadAsync(client, cancellationToken).ConfigureAwait(false);
            double processed = pipelineBefore is { } before && pipelineAfter is { } after
                ? (accepted - (after.LagEvents - before.LagEvents)) / seconds
                : double.NaN;
            return new SustainedResult(accepted / seconds, processed, accepted, requests, failures, counters.LastFailure, seconds, serverCpu / seconds, clientCpu / seconds, rss);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(senders).ConfigureAwait(false);
        }
    }

    private static async Task SendLoopAsync(IngestClient client, BenchBodyPool pool, LoadCounters counters, CancellationToken stop)
    {
        byte[] response = new byte[4096];
        while (!stop.IsCancellationRequested)
        {
            BenchBody body;
            try
            {
                body = await pool.RentAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                // Not cancelled by the stop: a request in flight finishes, so the server never sees a torn body.
                (int accepted, HttpStatusCode status) = await client.PostAsync(body.Payload, Ndjson, response, CancellationToken.None).ConfigureAwait(false);
                Interlocked.Increment(ref counters.Requests);
                if (status == HttpStatusCode.Accepted)
                {
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
                await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                pool.Return(body);
            }
        }
    }
}
