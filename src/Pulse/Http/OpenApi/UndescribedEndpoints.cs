using Microsoft.OpenApi;

namespace Pulse.Http.OpenApi;

/// <summary>
/// Path items for the endpoints a generator cannot describe from metadata: <c>WS /v1/live</c> (mapped
/// for every method, since WebSockets over HTTP/2 use CONNECT) and <c>/health/ready</c> (the
/// health-check middleware).
/// </summary>
internal static class UndescribedEndpoints
{
    public static void AddTo(OpenApiDocument document)
    {
        document.Paths ??= [];
        document.Paths["/v1/live"] = new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    OperationId = "LiveFeed",
                    Summary = "Live feed (WebSocket)",
                    Description = "Upgrade to a WebSocket, offering subprotocol 'pulse.v1' (and, from a browser, 'pulse.bearer.KEY' for the read key). "
                        + "The server sends {\"type\":\"snapshot\",\"data\":{...as GET /v1/realtime...}} every interval, and anomaly / pattern messages as they happen. "
                        + "Slow clients are skipped ahead.",
                    Tags = Tag(document, "Query"),
                    Parameters =
                    [
                        new OpenApiParameter
                        {
                            Name = "interval_ms",
                            In = ParameterLocation.Query,
                            Description = "Milliseconds between snapshots: at least 100, default 1000.",
                            Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
                        },
                    ],
                    Responses = new OpenApiResponses
                    {
                        ["101"] = new OpenApiResponse { Description = "Switching to the WebSocket protocol." },
                        ["400"] = new OpenApiResponse { Description = "Not a WebSocket upgrade, or a bad interval_ms (problem+json)." },
                        ["401"] = new OpenApiResponse { Description = "A read key is required (keys configured)." },
                    },
                },
            },
        };
        document.Paths["/health/ready"] = new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    OperationId = "Readiness",
                    Summary = "Readiness: can the server take and serve traffic",
                    Description = "Checks of the log, processing lag, store, dedupe horizon and auth exposure; thresholds in Pulse:Health (docs/operations.md).",
                    Tags = Tag(document, "Operations"),
                    Responses = new OpenApiResponses
                    {
                        ["200"] = Health("Healthy or Degraded."),
                        ["503"] = Health("Unhealthy."),
                    },
                },
            },
        };
    }

    private static HashSet<OpenApiTagReference> Tag(OpenApiDocument document, string name)
    {
        document.Tags ??= new HashSet<OpenApiTag>();
        if (!document.Tags.Any(t => t.Name == name))
        {
            document.Tags.Add(new OpenApiTag { Name = name });
        }

        return [new OpenApiTagReference(name, document)];
    }

    private static OpenApiResponse Health(string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/json"] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["status"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Healthy, Degraded or Unhealthy." },
                        ["duration_ms"] = new OpenApiSchema { Type = JsonSchemaType.Number },
                        ["checks"] = new OpenApiSchema
                        {
                            Type = JsonSchemaType.Object,
                            Description = "By check name; each check's numeric data (free disk, lag, ...) sits beside its status and description.",
                            AdditionalProperties = new OpenApiSchema
                            {
                                Type = JsonSchemaType.Object,
                                Properties = new Dictionary<string, IOpenApiSchema>
                                {
                                    ["status"] = new OpenApiSchema { Type = JsonSchemaType.String },
                                    ["description"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                                },
                                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Number, Description = "The check's data." },
                            },
                        },
                    },
                },
            },
        },
    };
}
