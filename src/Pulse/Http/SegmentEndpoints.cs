using System.Threading.RateLimiting;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Net.Http.Headers;
using Pulse.Hosting;
using Pulse.Http.OpenApi;
using Pulse.Ingest;
using Pulse.Ingest.Segment;

namespace Pulse.Http;

/// <summary>
/// Segment's HTTP Tracking API — <c>POST /v1/track</c>, <c>/v1/page</c>, <c>/v1/identify</c>,
/// <c>/v1/batch</c> — so Segment-compatible SDKs send to Pulse by changing their host. The body is
/// translated into Pulse events and then goes exactly the way of <c>POST /v1/events</c>: the same
/// parser, limits, dedupe (<c>messageId</c> is the <c>event_id</c>) and durable append. The answer
/// is Segment's <c>200 {"success": true}</c>, sent once the events are durable, with Pulse's counts beside it.
/// </summary>
public static class SegmentEndpoints
{
    private static readonly ObjectPool<SegmentTranslation> Translations = new DefaultObjectPool<SegmentTranslation>(new TranslationPolicy(), 64);

    public static void MapSegment(this IEndpointRouteBuilder app)
    {
        Map<SegmentCallInput>(app, "/v1/track", SegmentCall.Track, "SegmentTrack", "Segment track call",
            "One track call; its event name becomes the Pulse type (e-commerce spec events map to page_view, add_to_cart, remove_from_cart, checkout, purchase).");
        Map<SegmentCallInput>(app, "/v1/page", SegmentCall.Page, "SegmentPage", "Segment page call", "One page call: a page_view.");
        Map<SegmentCallInput>(app, "/v1/identify", SegmentCall.Identify, "SegmentIdentify", "Segment identify call", "One identify call: an 'identify' event with the traits as properties.");
        Map<SegmentBatchInput>(app, "/v1/batch", SegmentCall.Batch, "SegmentBatch", "Segment batch",
            "{\"batch\": [...]} of track, page, screen, identify, group and alias calls, as Segment's server SDKs send it. A bad call is reported by its index; the others are kept.");
    }

    private static void Map<TBody>(IEndpointRouteBuilder app, string path, SegmentCall call, string name, string summary, string description)
        where TBody : notnull =>
        app.MapPost(path, (HttpContext context, PulseEngine engine, IngestAdmission admission) => IngestAsync(context, engine, admission, call))
            .WithName(name).DisableAntiforgery()
            .WithTags(ApiDocs.SegmentTag)
            .WithSummary(summary)
            .WithDescription(description + " Segment's HTTP Tracking API: authenticate with the write key as the basic-auth user name (or a Bearer key). "
                + "The answer is sent once the accepted events are durable; messageId is the event_id. See docs/ecosystem.md.")
            .DocumentsBody<TBody>(call == SegmentCall.Batch ? "Segment's batch: {\"batch\": [calls]}." : "One Segment call.", "application/json", "text/plain")
            .Produces<SegmentResponse>(StatusCodes.Status200OK)
            .ProducesIngestProblems();

    private static async Task<IResult> IngestAsync(HttpContext context, PulseEngine engine, IngestAdmission admission, SegmentCall call)
    {
        if (!IsJson(context.Request.ContentType))
        {
            Metrics.ServerInstruments.RecordRejected("unsupported_media_type");
            return Problems.Create(415, "Unsupported content type",
                $"Send the Segment call as 'application/json' (or 'text/plain', as browsers' beacons do); got '{context.Request.ContentType}'.");
        }

        BodyRead read = await IngestRequest.ReadBodyAsync(context, engine.Options.Ingest);
        if (read.Problem is not null)
        {
            return read.Problem;
        }

        SegmentTranslation translation = Translations.Get();
        context.Response.RegisterForDispose(new ReturnToPool(translation));

        // Admitted after the body is read, so a client trickling its body holds no permit.
        using RateLimitLease? admitted = await admission.EnterAsync(context.RequestAborted);
        if (admitted is null)
        {
            IngestRequest.Return(read.Buffer);
            return admission.Shed();
        }

        EventBatch batch = IngestRequest.RentBatch(context);
        long now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        try
        {
            SegmentTranslator.Translate(read.Buffer.AsSpan(0, read.Length), call, now, engine.IngestLimits, translation);
        }
        finally
        {
            IngestRequest.Return(read.Buffer);
        }

        if (translation.BodyError is { } bodyError)
        {
            return IngestRequest.InvalidBody(bodyError);
        }

        if (translation.Count > 0)
        {
            EventParser.Parse(translation.Ndjson, BodyFormat.Ndjson, now, engine.IngestLimits, batch);
            if (batch.BodyError is { } parseError)
            {
                return IngestRequest.InvalidBody(parseError);
            }
        }

        List<IngestError> errors = translation.MergeErrors(batch.Errors);
        if (IngestRequest.RejectIfNothingValid(translation.TotalSeen, batch.Count, errors) is { } rejected)
        {
            return rejected;
        }

        (IngestResult result, IResult? problem) = await IngestRequest.AppendAsync(engine, batch, admitted, context.RequestAborted);
        return problem ?? new JsonResult(200, w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("success"u8, true);
            JsonOutput.WriteIngestCounts(w, result, errors.Count, errors);
            w.WriteEndObject();
        });
    }

    /// <summary>Segment's SDKs send JSON; browsers' beacons send it as text/plain to avoid a CORS preflight.</summary>
    private static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return true;
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out MediaTypeHeaderValue? media))
        {
            return false;
        }

        string type = media.MediaType.Value ?? "";
        return type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.Equals("text/plain", StringComparison.OrdinalIgnoreCase);
    }

    private sealed class ReturnToPool(SegmentTranslation translation) : IDisposable
    {
        public void Dispose() => Translations.Return(translation);
    }

    private sealed class TranslationPolicy : PooledObjectPolicy<SegmentTranslation>
    {
        public override SegmentTranslation Create() => new();

        public override bool Return(SegmentTranslation obj)
        {
            // Like the batches: one that translated a huge body is not kept with its buffers.
            if (obj.RetainedBytes > IngestRequest.MaxPooledBytes)
            {
                obj.Dispose();
                return false;
            }

            obj.Reset();
            return true;
        }
    }
}
