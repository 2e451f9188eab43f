using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Pulse.Tests.Reliability;

/// <summary>
/// Offers batches at a fixed rate whatever the server answers (an open loop, as real traffic
/// does), every answer awaited: 202 counts the batch's events as stored, 429/503 (each checked for
/// a Retry-After) as shed. A request still unanswered when <see cref="MaxOutstanding"/> are in
/// flight means the offer could not be made and is counted, so "offered" is what was really sent.
/// </summary>
internal sealed class OpenLoopLoad(HttpClient http, SyntheticBodies bodies)
{
    public const int MaxOutstanding = 1024;

    private readonly long[] _acceptedByType = new long[SyntheticBodies.TypeNames.Count];
    private readonly SemaphoreSlim _slots = new(MaxOutstanding);
    private readonly List<(long At, bool Shed, double Ms)> _answers = [];
    private long _offered;
    private long _accepted;
    private long _shed;
    private long _notOffered;
    private long _unexpected;
    private string? _firstUnexpected;
    private int _next;

    public long Offered => Interlocked.Read(ref _offered);
    public long AcceptedBatches => Interlocked.Read(ref _accepted);
    public long ShedBatches => Interlocked.Read(ref _shed);
    public long NotOffered => Interlocked.Read(ref _notOffered);
    public long Unexpected => Interlocked.Read(ref _unexpected);
    public string? FirstUnexpected => _firstUnexpected;

    public long AcceptedEvents(int type) => Interlocked.Read(ref _acceptedByType[type]);

    /// <summary>Answers as (stopwatch timestamp, shed?, latency in ms) in arrival order.</summary>
    public (long At, bool Shed, double Ms)[] Answers()
    {
        lock (_answers)
        {
            return [.. _answers];
        }
    }

    /// <summary>Offers <paramref name="batchesPerSecond"/> for <paramref name="duration"/>, then waits for every answer.</summary>
    public async Task OfferAsync(double batchesPerSecond, TimeSpan duration)
    {
        var inFlight = new List<Task>();
        var clock = Stopwatch.StartNew();
        long sent = 0;
        while (clock.Elapsed < duration)
        {
            long due = (long)(clock.Elapsed.TotalSeconds * batchesPerSecond);
            for (; sent < due; sent++)
            {
                if (!_slots.Wait(0))
                {
                    Interlocked.Increment(ref _notOffered);
                    continue;
                }

                inFlight.Add(SendAsync());
            }

            inFlight.RemoveAll(t => t.IsCompleted);
            await Task.Delay(2);
        }

        await Task.WhenAll(inFlight);
    }

    /// <summary>A closed loop of <paramref name="senders"/> back-to-back senders: what the server acknowledges at most.</summary>
    public async Task<double> MeasureCapacityAsync(int senders, TimeSpan duration)
    {
        long before = AcceptedBatches;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, senders).Select(async _ =>
        {
            while (clock.Elapsed < duration)
            {
                await _slots.WaitAsync();
                await SendAsync();
            }
        }));
        return (AcceptedBatches - before) / clock.Elapsed.TotalSeconds;
    }

    private async Task SendAsync()
    {
        int index = (Interlocked.Increment(ref _next) & int.MaxValue) % bodies.Bodies.Length;
        Interlocked.Increment(ref _offered);
        long started = Stopwatch.GetTimestamp();
        try
        {
            using var content = new ByteArrayContent(bodies.Bodies[index]);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
            using HttpResponseMessage response = await http.PostAsync(new Uri("/v1/events", UriKind.Relative), content);
            bool shed = response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable;
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                Interlocked.Increment(ref _accepted);
                for (int t = 0; t < _acceptedByType.Length; t++)
                {
                    Interlocked.Add(ref _acceptedByType[t], bodies.CountsByType[index][t]);
                }
            }
            else if (shed && response.Headers.RetryAfter?.Delta is { } after && after > TimeSpan.Zero)
            {
                Interlocked.Increment(ref _shed);
            }
            else
            {
                Unexpect($"{(int)response.StatusCode} Retry-After={response.Headers.RetryAfter}: {await response.Content.ReadAsStringAsync()}");
                return;
            }

            lock (_answers)
            {
                _answers.Add((Stopwatch.GetTimestamp(), shed, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // No answer: the batch may or may not be stored, which breaks the exact count — the
            // client's timeout is long enough that this must not happen.
            Unexpect($"no answer: {e.Message}");
        }
        finally
        {
            _slots.Release();
        }
    }

    private void Unexpect(string what)
    {
        Interlocked.Increment(ref _unexpected);
        Interlocked.CompareExchange(ref _firstUnexpected, what, null);
    }
}
