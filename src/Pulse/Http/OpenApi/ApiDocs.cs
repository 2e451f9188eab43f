using Microsoft.OpenApi;

namespace Pulse.Http.OpenApi;

/// <summary>The problems each family of endpoints can answer, declared once for the OpenAPI document.</summary>
internal static class ApiDocs
{
    public const string IngestTag = "Ingest";
    public const string SegmentTag = "Segment";
    public const string QueryTag = "Query";
    public const string DefinitionsTag = "Definitions";
    public const string OperationsTag = "Operations";

    /// <summary>
    /// Documents the request body without <c>Accepts</c>, whose metadata routing also matches on: a
    /// request with another content type would get the router's bare 415/404 instead of the endpoint's problem+json.
    /// </summary>
    public static RouteHandlerBuilder DocumentsBody<TBody>(this RouteHandlerBuilder builder, string description, params string[] contentTypes) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            OpenApiSchema schema = await context.GetOrCreateSchemaAsync(typeof(TBody), null, cancellationToken);
            var content = new Dictionary<string, OpenApiMediaType>();
            foreach (string type in contentTypes)
            {
                content[type] = new OpenApiMediaType { Schema = schema };
            }

            operation.RequestBody = new OpenApiRequestBody { Required = true, Description = description, Content = content };
        });

    /// <summary>400 invalid body or no valid event, 401/403 auth, 408 body too slow, 413 too large, 415 content type or encoding, 429 rate limited, 503 overloaded or out of disk.</summary>
    public static RouteHandlerBuilder ProducesIngestProblems(this RouteHandlerBuilder builder) => builder
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status408RequestTimeout)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    /// <summary>401/403 when keys are configured and the request has no read key, 429 rate limited.</summary>
    public static RouteHandlerBuilder ProducesReadProblems(this RouteHandlerBuilder builder) => builder
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status429TooManyRequests);
}
