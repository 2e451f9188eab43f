using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Pulse.Tests.Reliability;

/// <summary>
/// A well-behaved client: sends each NDJSON batch with the very same bytes (so the same
/// <c>event_id</c>s) until the server acknowledges it with 202 — through refused requests (429/503,
/// honouring <c>Retry-After</c>), dropped connections and a server that is not there. Anything else
/// (a 4xx or 5xx for a valid batch) fails the test.
/// </summary>
internal sealed class RetryingSender(HttpClient http)
{
    private long _attempts;
    private long _refused;
    private long _connectionFailures;
    private long _duplicatesReported;
    private long _acknowledgedEvents;
    private readonly List<double> _ackMilliseconds = [];

    /// <summary>Requests sent, retries included.</summary>
    public long Attempts => Interlocked.Read(ref _attempts);

    /// <summary>429 and 503 answers, each with a Retry-After (checked).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Requests that got no answer: the server was down, killed mid-request, or timed out.</summary>
    public long ConnectionFailures => Interlocked.Read(ref _connectionFailures);

    /// <summary>Events the server said it had already stored: retries of requests whose answer was lost.</summary>
    public long DuplicatesReported => Interlocked.Read(ref _duplicatesReported);

    public long AcknowledgedEvents => Interlocked.Read(ref _acknowledgedEvents);

    /// <summary>Latency of each acknowledged request, from its last send to the 202.</summary>
    public double[] AckMilliseconds()
    {
        lock (_ackMilliseconds)
        {
            return [.. _ackMilliseconds];
        }
    }

    /// <summary>Sends one batch until it is acknowledged (or <paramref name="cancel"/> fires).</summary>
    public async Task SendUntilAcknowledgedAsync(string body, int events, CancellationToken cancel)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        var backoff = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            Interlocked.Increment(ref _attempts);
            TimeSpan? wait;
            try
            {
                wait = await PostOnceAsync(bytes, events, cancel);
                if (wait is null)
                {
                    return;
                }

                Interlocked.Increment(ref _refused);
            }
            catch (Exception e) when (e is HttpRequestException or IOException || (e is TaskCanceledException && !cancel.IsCancellationRequested))
            {
                Interlocked.Increment(ref _connectionFailures);
                wait = backoff;
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 500));
            }

            await Task.Delay(wait.Value, cancel);
        }
    }

    /// <summary>Null when acknowledged; otherwise how long to wait before the retry.</summary>
    private async Task<TimeSpan?> PostOnceAsync(byte[] body, int events, CancellationToken cancel)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        long started = Stopwatch.GetTimestamp();
        using HttpResponseMessage response = await http.PostAsync(new Uri("/v1/events", UriKind.Relative), content, cancel);
        string text = await response.Content.ReadAsStringAsync(cancel);
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            double ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            using JsonDocument answer = JsonDocument.Parse(text);
            int accepted = answer.RootElement.GetProperty("accepted").GetInt32();
            int duplicates = answer.RootElement.GetProperty("duplicates").GetInt32();
            Assert.True(accepted + duplicates == events, $"a valid batch of {events} was answered {text}");
            Interlocked.Add(ref _duplicatesReported, duplicates);
            Interlocked.Add(ref _acknowledgedEvents, events);
            lock (_ackMilliseconds)
            {
                _ackMilliseconds.Add(ms);
            }

            return null;
        }

        if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
        {
            Assert.True(response.Headers.RetryAfter?.Delta is { } after && after > TimeSpan.Zero, $"{(int)response.StatusCode} without a Retry-After delay: {text}");
            return response.Headers.RetryAfter.Delta!.Value;
        }

        Assert.Fail($"a valid batch was answered {(int)response.StatusCode}: {text}");
        return null;
    }
}
