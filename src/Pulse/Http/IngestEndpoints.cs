using System.Buffers;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Net.Http.Headers;
using Pulse.Hosting;
using Pulse.Ingest;
using Pulse.Metrics;

namespace Pulse.Http;

/// <summary><c>POST /v1/events</c>: parse, validate, dedupe, append durably, then acknowledge.</summary>
public static class IngestEndpoints
{
    private static readonly ObjectPool<EventBatch> Batches = new DefaultObjectPool<EventBatch>(new BatchPolicy(), 64);

    public static void MapIngest(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/events", IngestAsync).WithName("IngestEvents").DisableAntiforgery();
    }

    private static async Task<IResult> IngestAsync(HttpContext context, PulseEngine engine)
    {
        HttpRequest request = context.Request;
        IngestOptions options = engine.Options.Ingest;
        if (!TryGetFormat(request.ContentType, out BodyFormat format))
        {
            ServerInstruments.RecordRejected("unsupported_media_type");
            return Problems.Create(415, "Unsupported content type",
                $"Send 'application/json' (one event or an array) or 'application/x-ndjson' (one event per line); got '{request.ContentType}'.");
        }

        string encoding = request.Headers.ContentEncoding.ToString();
        bool gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            ServerInstruments.RecordRejected("unsupported_encoding");
            return Problems.Create(415, "Unsupported content encoding", $"Only 'gzip' is supported; got '{encoding}'.");
        }

        (BodyReadStatus status, byte[]? body, int length) = await RequestBodyReader.ReadAsync(request, gzip, options.MaxBodyBytes, context.RequestAborted);
        if (status == BodyReadStatus.TooLarge)
        {
            ServerInstruments.RecordRejected("body_too_large");
            return Problems.Create(413, "Body too large", $"The body is larger than {options.MaxBodyBytes} bytes (after decompression). Split it into smaller batches.");
        }

        if (status == BodyReadStatus.BadEncoding)
        {
            ServerInstruments.RecordRejected("invalid_gzip");
            return Problems.Create(400, "Invalid gzip body", "The body says 'Content-Encoding: gzip' but is not valid gzip data.");
        }

        EventBatch batch = Batches.Get();
        try
        {
            long now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
            EventParser.Parse(body.AsSpan(0, length), format, now, engine.IngestLimits, batch);
            ArrayPool<byte>.Shared.Return(body!);
            body = null;
            ServerInstruments.RequestBodyBytes.Record(length);
            if (batch.BodyError is { } bodyError)
            {
                ServerInstruments.RecordRejected("invalid_body");
                return Problems.Create(400, "Invalid body", bodyError);
            }

            ServerInstruments.EventsReceived.Add(batch.TotalSeen);
            ServerInstruments.BatchEvents.Record(batch.TotalSeen);
            RejectionReasons.Record(batch.Errors);
            int rejected = batch.Errors.Count;
            if (batch.Count == 0)
            {
                ServerInstruments.RecordRejected("no_valid_events");
                return Problems.Create(400, "No valid events", $"All {rejected} events were rejected; see 'errors'.", ErrorList(batch.Errors));
            }

            IngestResult result;
            try
            {
                result = await engine.Ingest.AppendAsync(batch, context.RequestAborted);
            }
            catch (IngestUnavailableException ex)
            {
                ServerInstruments.RecordRejected("unavailable");
                return Problems.Create(503, "Temporarily unable to store events", ex.Message + " Nothing in this request was acknowledged; retry it.", retryAfter: ex.RetryAfter);
            }

            return new JsonResult(202, w => JsonOutput.WriteIngest(w, result, rejected, batch.Errors));
        }
        finally
        {
            if (body is not null)
            {
                ArrayPool<byte>.Shared.Return(body);
            }

            // The result writes batch.Errors after this method returns, so the batch goes back to the pool
            // only when the response has completed.
            context.Response.RegisterForDispose(new ReturnToPool(batch));
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

    private static bool TryGetFormat(string? contentType, out BodyFormat format)
    {
        format = BodyFormat.Json;
        if (string.IsNullOrEmpty(contentType))
        {
            return true;
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out MediaTypeHeaderValue? media))
        {
            return false;
        }

        string type = media.MediaType.Value ?? "";
        if (type.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (type.Equals("application/x-ndjson", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/ndjson", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/jsonl", StringComparison.OrdinalIgnoreCase))
        {
            format = BodyFormat.Ndjson;
            return true;
        }

        return false;
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
            obj.Reset();
            return true;
        }
    }
}
