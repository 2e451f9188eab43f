using System.Buffers;
using Microsoft.Extensions.ObjectPool;
using Pulse.Hosting;
using Pulse.Ingest;
using Pulse.Metrics;

namespace Pulse.Http;

/// <summary>
/// What every ingest endpoint shares — the content encoding, reading the body within the limits,
/// the rejection of a body with no valid event, the durable append — so <c>POST /v1/events</c> and
/// the Segment endpoints answer the same faults with the same problems and metrics.
/// </summary>
internal static class IngestRequest
{
    /// <summary>
    /// A pooled batch that grew past this (a 10 MB body, a 10,000-event batch) is dropped instead of
    /// kept: 64 pooled batches each holding the largest body they ever saw would keep hundreds of MB.
    /// </summary>
    internal const long MaxPooledBytes = 1024 * 1024;

    private static readonly ObjectPool<EventBatch> Batches = new DefaultObjectPool<EventBatch>(new BatchPolicy(), 64);

    /// <summary>The body, decompressed, in a pooled buffer the caller returns; or the problem that answers the request.</summary>
    public static async Task<BodyRead> ReadBodyAsync(HttpContext context, IngestOptions options)
    {
        HttpRequest request = context.Request;
        string encoding = request.Headers.ContentEncoding.ToString();
        bool gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            ServerInstruments.RecordRejected("unsupported_encoding");
            return new BodyRead(Problems.Create(415, "Unsupported content encoding", $"Only 'gzip' is supported; got '{encoding}'."), null, 0);
        }

        (BodyReadStatus status, byte[]? body, int length) = await RequestBodyReader.ReadAsync(request, gzip, options.MaxBodyBytes, context.RequestAborted);
        if (status == BodyReadStatus.TooLarge)
        {
            ServerInstruments.RecordRejected("body_too_large");
            return new BodyRead(Problems.Create(413, "Body too large", $"The body is larger than {options.MaxBodyBytes} bytes (after decompression). Split it into smaller batches."), null, 0);
        }

        if (status == BodyReadStatus.BadEncoding)
        {
            ServerInstruments.RecordRejected("invalid_gzip");
            return new BodyRead(Problems.Create(400, "Invalid gzip body", "The body says 'Content-Encoding: gzip' but is not valid gzip data."), null, 0);
        }

        if (status == BodyReadStatus.TooSlow)
        {
            ServerInstruments.RecordRejected("body_too_slow");
            return new BodyRead(Problems.Create(408, "Body too slow",
                "The body arrived slower than the server's minimum data rate (Kestrel's MinRequestBodyDataRate, 240 bytes/s after a 5 s grace) or stalled. Send it at once."), null, 0);
        }

        if (status == BodyReadStatus.Incomplete)
        {
            ServerInstruments.RecordRejected("incomplete_body");
            return new BodyRead(Problems.Create(400, "Incomplete body", "The request ended before its body did (shorter than its Content-Length, or broken chunked framing). Send the whole body again."), null, 0);
        }

        ServerInstruments.RequestBodyBytes.Record(length);
        return new BodyRead(null, body, length);
    }

    public static IResult InvalidBody(string error)
    {
        ServerInstruments.RecordRejected("invalid_body");
        return Problems.Create(400, "Invalid body", error);
    }

    /// <summary>Counts what arrived; a 400 listing the rejections when nothing in the body is valid, else null.</summary>
    public static IResult? RejectIfNothingValid(int seen, int valid, IReadOnlyList<IngestError> errors)
    {
        ServerInstruments.EventsReceived.Add(seen);
        ServerInstruments.BatchEvents.Record(seen);
        RejectionReasons.Record(errors);
        if (valid > 0)
        {
            return null;
        }

        ServerInstruments.RecordRejected("no_valid_events");
        return Problems.Create(400, "No valid events", $"All {errors.Count} events were rejected; see 'errors'.", ErrorList(errors));
    }

    /// <summary>
    /// Appends the batch, gives the admission permit back once it is in the log (the CPU-bound part
    /// is done), and waits until it is durable; the problem instead when the log cannot take it now.
    /// </summary>
    public static async Task<(IngestResult Result, IResult? Problem)> AppendAsync(PulseEngine engine, EventBatch batch, IDisposable admitted, CancellationToken cancellationToken)
    {
        try
        {
            PendingAppend pending;
            try
            {
                pending = await engine.Ingest.BeginAppendAsync(batch, cancellationToken);
            }
            finally
            {
                admitted.Dispose();
            }

            return (await pending.DurableAsync(), null);
        }
        catch (IngestUnavailableException ex)
        {
            ServerInstruments.RecordRejected("unavailable");
            return (default, Problems.Create(503, "Temporarily unable to store events", ex.Message + " Nothing in this request was acknowledged; retry it.", retryAfter: ex.RetryAfter));
        }
    }

    /// <summary>A pooled batch that goes back to the pool when the response has completed (results write its errors after the endpoint returns).</summary>
    public static EventBatch RentBatch(HttpContext context)
    {
        EventBatch batch = Batches.Get();
        context.Response.RegisterForDispose(new ReturnToPool(batch));
        return batch;
    }

    public static void Return(byte[]? body)
    {
        if (body is not null)
        {
            ArrayPool<byte>.Shared.Return(body);
        }
    }

    private static List<object> ErrorList(IReadOnlyList<IngestError> errors)
    {
        var list = new List<object>(Math.Min(errors.Count, 100));
        for (int i = 0; i < errors.Count && i < 100; i++)
        {
            list.Add(new { index = errors[i].Index, error = errors[i].Error });
        }

        return list;
    }

    private sealed class ReturnToPool(EventBatch batch) : IDisposable
    {
        public void Dispose() => Batches.Return(batch);
    }

    private sealed class BatchPolicy : PooledObjectPolicy<EventBatch>
    {
        public override EventBatch Create() => new();

        public override bool Return(EventBatch obj)
        {
            if (obj.RetainedBytes > MaxPooledBytes)
            {
                obj.Dispose();
                return false;
            }

            obj.Reset();
            return true;
        }
    }
}

/// <summary>A request body read by <see cref="IngestRequest.ReadBodyAsync"/>: the problem, or the pooled buffer and its length.</summary>
internal readonly record struct BodyRead(IResult? Problem, byte[]? Buffer, int Length);
