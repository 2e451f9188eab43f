using System.Threading.RateLimiting;
using Pulse.Hosting;

namespace Pulse.Http;

/// <summary>
/// Admission control for ingest: at most <see cref="IngestOptions.MaxConcurrentBatches"/> requests
/// are parsed and appended at once, a bounded number wait (oldest first, for at most
/// <see cref="IngestOptions.MaxQueueWait"/>), and the rest are shed with 503 and Retry-After.
/// Under offered load beyond capacity this keeps the accepted rate at capacity, the latency of
/// accepted requests bounded, and — since waiting requests hold no thread — queries and health
/// checks answered promptly.
/// </summary>
public sealed class IngestAdmission : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;
    private readonly TimeSpan _maxWait;

    public IngestAdmission(IngestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Concurrency = options.MaxConcurrentBatches > 0 ? options.MaxConcurrentBatches : Environment.ProcessorCount;
        QueueLimit = options.MaxQueuedBatches;
        _maxWait = options.MaxQueueWait;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = Concurrency,
            QueueLimit = QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public int Concurrency { get; }

    public int QueueLimit { get; }

    /// <summary>A lease to dispose once the batch is appended, or null when the request must be shed.</summary>
    public async ValueTask<RateLimitLease?> EnterAsync(CancellationToken requestAborted)
    {
        RateLimitLease lease = _limiter.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        timeout.CancelAfter(_maxWait);
        try
        {
            lease = await _limiter.AcquireAsync(1, timeout.Token);
        }
        catch (OperationCanceledException) when (!requestAborted.IsCancellationRequested)
        {
            return null;
        }

        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        return null;
    }

    public IResult Shed()
    {
        Metrics.ServerInstruments.RecordRejected("overloaded");
        return Problems.Create(503, "Overloaded",
            $"{Concurrency} requests are being stored and {QueueLimit} more are waiting (Pulse:Ingest:MaxConcurrentBatches, MaxQueuedBatches); "
            + "nothing in this request was stored. Retry it after the Retry-After delay.", retryAfter: TimeSpan.FromSeconds(1));
    }

    public void Dispose() => _limiter.Dispose();
}
