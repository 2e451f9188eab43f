using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Pulse.Generate;

/// <summary>
/// POSTs batches to <c>/v1/events</c> as NDJSON over kept-alive connections. 429/503 (after
/// Retry-After), other 5xx and connection failures are retried with the very same bytes, so the
/// server's dedupe counts an event once even when an earlier attempt was in fact stored. A batch
/// counts as acknowledged only on a 202 — the contract for crash tests.
/// </summary>
internal sealed class EventSender : IDisposable
{
    private static readonly MediaTypeHeaderValue NdjsonType = new("application/x-ndjson");
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly HttpClient _client;
    private readonly Uri _endpoint;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly int _maxRetries;
    private readonly SendCounters _counters;
    private readonly LatencyRecorder _latency;
    private readonly GroundTruth _truth;
    private readonly TextWriter _log;
    private int _reportedFailures;

    public EventSender(GeneratorSettings settings, SendCounters counters, LatencyRecorder latency, GroundTruth truth, TextWriter log)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = settings.Concurrency,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _endpoint = new Uri(settings.Target, "/v1/events");
        _authorization = string.IsNullOrEmpty(settings.Key) ? null : new AuthenticationHeaderValue("Bearer", settings.Key);
        _maxRetries = settings.MaxRetries;
        _counters = counters;
        _latency = latency;
        _truth = truth;
        _log = log;
    }

    /// <summary>
    /// Sends the batch (and its duplicate re-send when asked). <paramref name="stopRetrying"/> ends
    /// retry waits (Ctrl-C); <paramref name="abortRequests"/> aborts requests in flight (shortly after).
    /// </summary>
    public async Task SendAsync(EventBatch batch, CancellationToken stopRetrying, CancellationToken abortRequests)
    {
        bool acknowledged = await DeliverAsync(batch, stopRetrying, abortRequests).ConfigureAwait(false);
        if (!acknowledged)
        {
            Interlocked.Increment(ref _counters.FailedBatches);
            return;
        }

        Interlocked.Increment(ref _counters.AcknowledgedBatches);
        _truth.Merge(batch.Truth);
        if (batch.ResendAsDuplicate && !stopRetrying.IsCancellationRequested)
        {
            // Same bytes, same event ids: a correct server answers with duplicates, not accepted.
            if (!await DeliverAsync(batch, stopRetrying, abortRequests).ConfigureAwait(false))
            {
                Interlocked.Increment(ref _counters.FailedBatches);
            }
        }
    }

    private async Task<bool> DeliverAsync(EventBatch batch, CancellationToken stopRetrying, CancellationToken abortRequests)
    {
        Interlocked.Add(ref _counters.Sent, batch.Count);
        for (int attempt = 0; ; attempt++)
        {
            (PostOutcome outcome, TimeSpan? retryAfter) = await PostOnceAsync(batch, abortRequests).ConfigureAwait(false);
            switch (outcome)
            {
                case PostOutcome.Acknowledged:
                    return true;
                case PostOutcome.Rejected:
                case PostOutcome.Failed:
                    return false;
                default:
                    break;
            }

            if (attempt >= _maxRetries || stopRetrying.IsCancellationRequested)
            {
                ReportFailure($"gave up on a batch of {batch.Count} events after {attempt} retries");
                return false;
            }

            Interlocked.Increment(ref _counters.Retries);
            TimeSpan delay = retryAfter ?? Backoff(attempt);
            try
            {
                await Task.Delay(delay, stopRetrying).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    private async Task<(PostOutcome Outcome, TimeSpan? RetryAfter)> PostOnceAsync(EventBatch batch, CancellationToken abortRequests)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(abortRequests);
        timeout.CancelAfter(RequestTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint);
        var content = new ByteArrayContent(batch.Buffer, 0, batch.Length);
        content.Headers.ContentType = NdjsonType;
        request.Content = content;
        request.Headers.Authorization = _authorization;
        long started = Stopwatch.GetTimestamp();
        try
        {
            using HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            byte[] body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            return Classify(response, body, batch.Count, Stopwatch.GetElapsedTime(started));
        }
        catch (HttpRequestException ex)
        {
            ReportFailure($"connection failed ({ex.Message}); retrying");
            return (PostOutcome.Retry, null);
        }
        catch (OperationCanceledException) when (!abortRequests.IsCancellationRequested)
        {
            ReportFailure($"no answer within {RequestTimeout.TotalSeconds:0} s; retrying");
            return (PostOutcome.Retry, null);
        }
        catch (OperationCanceledException)
        {
            return (PostOutcome.Failed, null);
        }
    }

    private (PostOutcome Outcome, TimeSpan? RetryAfter) Classify(HttpResponseMessage response, byte[] body, int events, TimeSpan latency)
    {
        int status = (int)response.StatusCode;
        if (status == (int)HttpStatusCode.Accepted || status == (int)HttpStatusCode.OK)
        {
            _latency.Record(latency);
            IngestResponse? counts = TryParse(body);
            if (counts is null)
            {
                ReportFailure("a 202 without the expected {\"accepted\",\"duplicates\",\"rejected\"} body; counts unknown");
            }
            else
            {
                Interlocked.Add(ref _counters.Accepted, counts.Accepted);
                Interlocked.Add(ref _counters.Duplicates, counts.Duplicates);
                Interlocked.Add(ref _counters.Rejected, counts.Rejected);
            }

            return (PostOutcome.Acknowledged, null);
        }

        if (status is 429 or 503)
        {
            return (PostOutcome.Retry, RetryAfter(response));
        }

        if (status >= 500)
        {
            ReportFailure($"HTTP {status}; retrying");
            return (PostOutcome.Retry, null);
        }

        if (status == 400)
        {
            // The server read the body and found nothing valid in it: every event was rejected.
            Interlocked.Add(ref _counters.Rejected, events);
            ReportFailure($"HTTP 400: {Excerpt(body)}");
            return (PostOutcome.Rejected, null);
        }

        ReportFailure($"HTTP {status}: {Excerpt(body)}");
        return (PostOutcome.Failed, null);
    }

    private static IngestResponse? TryParse(byte[] body)
    {
        try
        {
            return body.Length == 0 ? null : JsonSerializer.Deserialize(body, GenerateJsonContext.Default.IngestResponse);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        RetryConditionHeaderValue? header = response.Headers.RetryAfter;
        TimeSpan? delay = header?.Delta ?? (header?.Date is DateTimeOffset date ? date - DateTimeOffset.UtcNow : null);
        return delay is TimeSpan d ? TimeSpan.FromTicks(Math.Clamp(d.Ticks, 0, MaxRetryDelay.Ticks)) : null;
    }

    private static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(attempt, 10))));

    private static string Excerpt(byte[] body) =>
        System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 300));

    /// <summary>Logs the first few problems, then every hundredth, so a down server does not flood stderr.</summary>
    private void ReportFailure(string message)
    {
        int n = Interlocked.Increment(ref _reportedFailures);
        if (n <= 5 || n % 100 == 0)
        {
            lock (_log)
            {
                _log.WriteLine($"generate: {message}");
            }
        }
    }

    public void Dispose() => _client.Dispose();
}
