using System.Threading.RateLimiting;
using Microsoft.Net.Http.Headers;
using Pulse.Hosting;
using Pulse.Http.OpenApi;
using Pulse.Ingest;

namespace Pulse.Http;

/// <summary><c>POST /v1/events</c>: parse, validate, dedupe, append durably, then acknowledge.</summary>
public static class IngestEndpoints
{
    public static void MapIngest(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/events", IngestAsync).WithName("IngestEvents").DisableAntiforgery()
            .WithTags(ApiDocs.IngestTag)
            .WithSummary("Send events")
            .WithDescription("One event object, a JSON array of them, or NDJSON (application/x-ndjson); optionally Content-Encoding: gzip. "
                + "Each event is validated on its own; the 202 is sent only once every accepted event is durable. Needs a write key when keys are configured.")
            .DocumentsBody<EventInput>("One event, a JSON array of events, or NDJSON (one event per line).", "application/json", "application/x-ndjson")
            .Produces<IngestResponse>(StatusCodes.Status202Accepted)
            .ProducesIngestProblems();
    }

    private static async Task<IResult> IngestAsync(HttpContext context, PulseEngine engine, IngestAdmission admission)
    {
        if (!TryGetFormat(context.Request.ContentType, out BodyFormat format))
        {
            Metrics.ServerInstruments.RecordRejected("unsupported_media_type");
            return Problems.Create(415, "Unsupported content type",
                $"Send 'application/json' (one event or an array) or 'application/x-ndjson' (one event per line); got '{context.Request.ContentType}'.");
        }

        BodyRead read = await IngestRequest.ReadBodyAsync(context, engine.Options.Ingest);
        if (read.Problem is not null)
        {
            return read.Problem;
        }

        // Admitted after the body is read, so a client trickling its body holds no permit.
        using RateLimitLease? admitted = await admission.EnterAsync(context.RequestAborted);
        if (admitted is null)
        {
            IngestRequest.Return(read.Buffer);
            return admission.Shed();
        }

        EventBatch batch = IngestRequest.RentBatch(context);
        try
        {
            long now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
            EventParser.Parse(read.Buffer.AsSpan(0, read.Length), format, now, engine.IngestLimits, batch);
        }
        finally
        {
            IngestRequest.Return(read.Buffer);
        }

        if (batch.BodyError is { } bodyError)
        {
            return IngestRequest.InvalidBody(bodyError);
        }

        if (IngestRequest.RejectIfNothingValid(batch.TotalSeen, batch.Count, batch.Errors) is { } rejected)
        {
            return rejected;
        }

        (IngestResult result, IResult? problem) = await IngestRequest.AppendAsync(engine, batch, admitted, context.RequestAborted);
        return problem ?? new JsonResult(202, w => JsonOutput.WriteIngest(w, result, batch.Errors.Count, batch.Errors));
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
}
