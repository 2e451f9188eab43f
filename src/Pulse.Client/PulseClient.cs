using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pulse.Client.Internal;

namespace Pulse.Client;

/// <summary>
/// Sends events to Pulse (<c>POST /v1/events</c>) in the background. Tracking puts an event into a
/// bounded queue and returns; one delivery loop takes batches of up to
/// <see cref="PulseClientOptions.MaxBatchSize"/> events (or what arrived within
/// <see cref="PulseClientOptions.MaxBatchDelay"/>), serialises each batch once and sends it, retrying
/// the same bytes — the same event ids — on network errors, 429 and 5xx, so the server's dedupe
/// makes every retried event count once. Thread-safe; create one per application.
/// </summary>
public sealed partial class PulseClient : IAsyncDisposable
{
    /// <summary>The name of the <see cref="HttpClient"/> <c>AddPulseClient</c> registers with <c>IHttpClientFactory</c>.</summary>
    public const string HttpClientName = "Pulse.Client";

    private readonly PulseClientOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<PulseEvent> _queue;
    private readonly FlushWaiters _flushes = new();
    private readonly HttpClient? _ownedHttpClient;
    private long _tracking;
    private long _dropped;
    private int _overflowWarned;
    private int _lateWarned;
    private int _stopping;

    /// <summary>A client with its own <see cref="HttpClient"/>, disposed with it.</summary>
    public PulseClient(PulseClientOptions options, ILogger<PulseClient>? logger = null)
        : this(options, OwnHttpClient(), ownsHttpClient: true, logger)
    {
    }

    /// <summary>A client that sends through <paramref name="httpClient"/>, which stays the caller's to dispose.</summary>
    public PulseClient(PulseClientOptions options, HttpClient httpClient, ILogger<PulseClient>? logger = null)
        : this(options, httpClient ?? throw new ArgumentNullException(nameof(httpClient)), ownsHttpClient: false, logger)
    {
    }

    private PulseClient(PulseClientOptions options, HttpClient httpClient, bool ownsHttpClient, ILogger? logger)
        : this(options, () => httpClient, logger)
    {
        _ownedHttpClient = ownsHttpClient ? httpClient : null;
    }

    /// <summary>For <c>IHttpClientFactory</c>: a client is asked for per request, so handlers rotate as the factory intends.</summary>
    internal PulseClient(PulseClientOptions options, Func<HttpClient> httpClients, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> problems = options.Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(options));
        }

        _options = options.Copy();
        _logger = logger ?? NullLogger.Instance;
        _queue = Channel.CreateBounded<PulseEvent>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
        _sender = new EventsSender(httpClients, _options);
        _backoff = new Backoff(_options.InitialBackoff, _options.MaxBackoff, new Random());
        _delivery = Task.Run(DeliverAllAsync);
    }

    /// <summary>
    /// Queues <paramref name="pulseEvent"/> without waiting, whatever the overflow policy: false when the
    /// queue is full or the client has shut down (the event is then counted in <see cref="PulseClientStatistics.Dropped"/>).
    /// </summary>
    public bool TryTrack(PulseEvent pulseEvent)
    {
        CheckEvent(pulseEvent);
        Interlocked.Increment(ref _tracking);
        if (_queue.Writer.TryWrite(pulseEvent))
        {
            return true;
        }

        Drop();
        return false;
    }

    /// <summary>
    /// Queues <paramref name="pulseEvent"/>. With <see cref="QueueOverflowPolicy.DropNewest"/> it never
    /// waits (a full queue drops the event and counts it); with <see cref="QueueOverflowPolicy.Wait"/> it
    /// waits for room.
    /// </summary>
    public ValueTask TrackAsync(PulseEvent pulseEvent, CancellationToken cancellationToken = default)
    {
        if (_options.OverflowPolicy == QueueOverflowPolicy.DropNewest)
        {
            TryTrack(pulseEvent);
            return ValueTask.CompletedTask;
        }

        CheckEvent(pulseEvent);
        Interlocked.Increment(ref _tracking);
        return _queue.Writer.TryWrite(pulseEvent) ? ValueTask.CompletedTask : WaitForRoomAsync(pulseEvent, cancellationToken);
    }

    /// <summary>
    /// Sends everything tracked before this call now (not waiting for the batch delay) and completes
    /// when all of it is settled: accepted, found duplicate, rejected, or given up after retries.
    /// </summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        long target = Volatile.Read(ref _tracking);
        RequestFlush(target);
        return _flushes.WaitFor(target).WaitAsync(cancellationToken);
    }

    /// <summary>Counts so far.</summary>
    public PulseClientStatistics Statistics => new(
        _queue.Reader.Count,
        Interlocked.Read(ref _accepted),
        Interlocked.Read(ref _duplicates),
        Interlocked.Read(ref _rejected),
        Interlocked.Read(ref _dropped),
        Interlocked.Read(ref _failed),
        Interlocked.Read(ref _retries),
        Interlocked.Read(ref _requests));

    /// <summary>
    /// Stops taking events and sends what is queued, for at most <see cref="PulseClientOptions.ShutdownTimeout"/>;
    /// whatever is still unsent then is counted as failed.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await ShutdownAsync(CancellationToken.None).ConfigureAwait(false);
        _ownedHttpClient?.Dispose();
    }

    /// <summary>Drains within the shutdown bound or until <paramref name="cancellationToken"/> fires, whichever is first.</summary>
    internal async Task ShutdownAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 0)
        {
            _queue.Writer.TryComplete();
            RequestFlush(long.MaxValue);
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(_options.ShutdownTimeout);
            try
            {
                await _delivery.WaitAsync(bound.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The bound passed: what is in flight is abandoned, and the rest is counted, not sent.
                await _abort.CancelAsync().ConfigureAwait(false);
            }
        }

        await _delivery.ConfigureAwait(false);
    }

    private async ValueTask WaitForRoomAsync(PulseEvent pulseEvent, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(pulseEvent, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            Drop();
        }
        catch (OperationCanceledException)
        {
            _flushes.Settle(1);
            throw;
        }
    }

    private void Drop()
    {
        Interlocked.Increment(ref _dropped);
        _flushes.Settle(1);
        if (Volatile.Read(ref _stopping) != 0)
        {
            // Once: events tracked while an application shuts down are expected, a log line each is not.
            if (Interlocked.Exchange(ref _lateWarned, 1) == 0)
            {
                ClientLog.TrackedAfterShutdown(_logger);
            }
        }
        else if (Interlocked.Exchange(ref _overflowWarned, 1) == 0)
        {
            ClientLog.Overflow(_logger, _options.QueueCapacity);
        }
    }

    private static void CheckEvent(PulseEvent pulseEvent)
    {
        ArgumentNullException.ThrowIfNull(pulseEvent);
        if (string.IsNullOrEmpty(pulseEvent.UserId) && string.IsNullOrEmpty(pulseEvent.AnonymousId))
        {
            throw new ArgumentException("An event needs a UserId or an AnonymousId.", nameof(pulseEvent));
        }
    }

    private static HttpClient OwnHttpClient() => new(new SocketsHttpHandler
    {
        // Picks up DNS changes of the server's name; the one client lives as long as the application.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        // Bodies are gzipped by the client itself; answers are small JSON.
        AutomaticDecompression = System.Net.DecompressionMethods.None,
    })
    {
        // Each request has its own bound (RequestTimeout); the client-wide one would only get in the way.
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
