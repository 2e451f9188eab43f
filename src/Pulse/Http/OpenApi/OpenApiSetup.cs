using System.Text.Json.Serialization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Pulse.Http.OpenApi;

/// <summary>
/// <c>GET /openapi/v1.json</c>: the OpenAPI document of every endpoint, generated from the endpoints'
/// own metadata (summaries, parameters, <c>Produces</c>), plus the two endpoints that have none a
/// generator can read: the WebSocket feed and the health-check middleware.
/// </summary>
public static class OpenApiSetup
{
    public const string DocumentName = "v1";
    public const string Route = "/openapi/{documentName}.json";

    public static IServiceCollection AddPulseOpenApi(this IServiceCollection services)
    {
        // The web defaults read numbers from strings too, which the schemas would then advertise
        // ("integer or string"); Pulse writes and reads plain JSON numbers. Nothing else in Pulse
        // serializes through these options, so this changes only what the document says.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        return services.AddOpenApi(DocumentName, options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Pulse",
                    Version = "v1",
                    Description = "Real-time analytics engine: ingest events (Pulse's own format or Segment's HTTP Tracking API), query metrics, follow the live feed. Contract: contract.md; Segment and the browser tracker: docs/ecosystem.md.",
                };
                AddSecuritySchemes(document);
                UndescribedEndpoints.AddTo(document);
                return Task.CompletedTask;
            });
        });
    }

    public static void MapPulseOpenApi(this IEndpointRouteBuilder app) =>
        app.MapOpenApi(Route).WithName("OpenApiDocument");

    /// <summary>Keys go as Bearer tokens; the Segment endpoints also take basic auth with the key as user name. With no keys configured, nothing is needed.</summary>
    private static void AddSecuritySchemes(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A Pulse API key: write keys send events, read keys query and subscribe, admin keys change definitions (docs/security.md).",
        };
        document.Components.SecuritySchemes["basic"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "basic",
            Description = "Segment endpoints only: the write key as the user name, no password (how Segment's SDKs send their write key).",
        };
    }
}
