using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using Pulse.Hosting;
using Pulse.Http.OpenApi;

namespace Pulse.Tests.EndToEnd;

/// <summary>
/// <c>GET /openapi/v1.json</c> from a real server: a valid OpenAPI 3.x document that describes every
/// route the application maps, with summaries and response schemas that match real responses.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class OpenApiDocumentTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task The_document_is_valid_openapi_3_with_a_summary_and_responses_for_every_operation()
    {
        string json = await FetchAsync();
        ReadResult read = OpenApiDocument.Parse(json, "json");
        Assert.NotNull(read.Document);
        Assert.Empty(read.Diagnostic?.Errors ?? []);
        Assert.Equal(3, (int)Math.Floor(SpecVersionNumber(read.Diagnostic!.SpecificationVersion)));
        Assert.Equal("Pulse", read.Document.Info.Title);
        Assert.Contains("bearer", read.Document.Components!.SecuritySchemes!.Keys);
        Assert.Contains("basic", read.Document.Components.SecuritySchemes.Keys);

        foreach ((string path, IOpenApiPathItem item) in read.Document.Paths)
        {
            foreach ((HttpMethod method, OpenApiOperation operation) in item.Operations!)
            {
                string where = $"{method} {path}";
                Assert.False(string.IsNullOrWhiteSpace(operation.Summary), $"{where} has no summary");
                Assert.NotEmpty(operation.Responses!);
                foreach ((string status, IOpenApiResponse response) in operation.Responses!)
                {
                    Assert.False(string.IsNullOrEmpty(response.Description), $"{where} {status} has no description");
                    if (status.StartsWith('2'))
                    {
                        Assert.True(response.Content is { Count: > 0 } && response.Content.Values.All(c => c.Schema is not null), $"{where} {status} has no schema");
                    }
                }
            }
        }
    }

    [Fact]
    public async Task Every_mapped_route_is_in_the_document()
    {
        using JsonDocument document = JsonDocument.Parse(await FetchAsync());
        JsonElement paths = document.RootElement.GetProperty("paths");
        List<(string Pattern, string[] Methods)> routes = MappedRoutes();
        Assert.Contains(routes, r => r.Pattern == "/v1/batch");
        Assert.Contains(routes, r => r.Pattern == "/health/ready");
        Assert.Contains(routes, r => r.Pattern == "/v1/live");
        foreach ((string pattern, string[] methods) in routes)
        {
            Assert.True(paths.TryGetProperty(pattern, out JsonElement item), $"{pattern} is mapped but not in the document");
            foreach (string method in methods)
            {
                Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out _), $"{method} {pattern} is mapped but not in the document");
            }
        }

        // And nothing is documented that is not mapped.
        foreach (JsonProperty path in paths.EnumerateObject())
        {
            Assert.Contains(routes, r => r.Pattern == path.Name);
        }
    }

    [Theory]
    [InlineData("/v1/events", "application/x-ndjson", "type")]
    [InlineData("/v1/track", "text/plain", "userId")]
    [InlineData("/v1/batch", "application/json", "batch")]
    public async Task Ingest_request_bodies_are_described(string path, string contentType, string property)
    {
        using JsonDocument document = JsonDocument.Parse(await FetchAsync());
        JsonElement body = document.RootElement.GetProperty("paths").GetProperty(path).GetProperty("post").GetProperty("requestBody");
        JsonElement schema = body.GetProperty("content").GetProperty(contentType).GetProperty("schema");
        if (schema.TryGetProperty("$ref", out JsonElement reference))
        {
            schema = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1]);
        }

        Assert.True(schema.GetProperty("properties").TryGetProperty(property, out _), $"{path} body schema lacks '{property}'");
    }

    [Theory]
    [InlineData("GET", "/v1/metrics", null, "MetricList")]
    [InlineData("GET", "/v1/metrics/events?step=1m&group_by=type", null, "MetricQueryResponse")]
    [InlineData("GET", "/v1/realtime", null, "RealtimeResponse")]
    [InlineData("POST", "/v1/events", """[{"type":"page_view","user_id":"openapi"},{"type":"BAD","user_id":"openapi"}]""", "IngestResponse")]
    [InlineData("POST", "/v1/batch", """{"batch":[{"type":"track","userId":"openapi","event":"Checked"},{"type":"track"}]}""", "SegmentResponse")]
    public async Task Real_responses_have_the_documented_shape(string method, string path, string? body, string schemaName)
    {
        using JsonDocument document = JsonDocument.Parse(await FetchAsync());
        JsonElement schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        using HttpClient http = fixture.Server.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using HttpResponseMessage response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        using JsonDocument actual = JsonDocument.Parse(text);
        AssertConforms(schemas, schemas.GetProperty(schemaName), actual.RootElement, schemaName);

        // The operation names this schema for its success answer.
        string documented = document.RootElement.GetProperty("paths").GetProperty(path.Split('?')[0] == "/v1/metrics/events" ? "/v1/metrics/{name}" : path)
            .GetProperty(method.ToLowerInvariant()).GetProperty("responses").GetProperty(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture))
            .GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()!;
        Assert.Equal($"#/components/schemas/{schemaName}", documented);
    }

    [Fact]
    public async Task Readiness_has_the_documented_shape()
    {
        using JsonDocument document = JsonDocument.Parse(await FetchAsync());
        JsonElement schema = document.RootElement.GetProperty("paths").GetProperty("/health/ready").GetProperty("get")
            .GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        using HttpClient http = fixture.Server.CreateClient();
        using JsonDocument actual = JsonDocument.Parse(await http.GetStringAsync(new Uri("/health/ready", UriKind.Relative)));
        AssertConforms(default, schema, actual.RootElement, "readiness");
    }

    /// <summary>Every member of the value is a documented property (recursively, through $ref, arrays and maps), and every required one is there.</summary>
    private static void AssertConforms(JsonElement schemas, JsonElement schema, JsonElement value, string where)
    {
        if (schema.TryGetProperty("$ref", out JsonElement reference))
        {
            schema = schemas.GetProperty(reference.GetString()!.Split('/')[^1]);
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out JsonElement items))
        {
            foreach (JsonElement item in value.EnumerateArray())
            {
                AssertConforms(schemas, items, item, where + "[]");
            }

            return;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        bool open = schema.TryGetProperty("additionalProperties", out JsonElement additional) && additional.ValueKind == JsonValueKind.Object;
        if (schema.TryGetProperty("properties", out JsonElement properties))
        {
            foreach (JsonProperty member in value.EnumerateObject())
            {
                bool named = properties.TryGetProperty(member.Name, out JsonElement memberSchema);
                Assert.True(named || open, $"{where}.{member.Name} is not documented");
                AssertConforms(schemas, named ? memberSchema : additional, member.Value, $"{where}.{member.Name}");
            }

            if (schema.TryGetProperty("required", out JsonElement required))
            {
                foreach (JsonElement name in required.EnumerateArray())
                {
                    Assert.True(value.TryGetProperty(name.GetString()!, out _), $"{where}.{name.GetString()} is required but missing");
                }
            }
        }
        else if (open)
        {
            foreach (JsonProperty member in value.EnumerateObject())
            {
                AssertConforms(schemas, additional, member.Value, $"{where}.{member.Name}");
            }
        }
    }

    private async Task<string> FetchAsync()
    {
        using HttpClient http = fixture.Server.CreateClient();
        using HttpResponseMessage response = await http.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The application's own route table, read from a host built exactly as <c>pulse serve</c> builds it (not started).</summary>
    internal static List<(string Pattern, string[] Methods)> MappedRoutes()
    {
        using var dir = new TempDirectory("pulse-routes");
        WebApplication app = PulseServer.Build([$"--Pulse:DataDirectory={dir.Path}", "--urls", "http://127.0.0.1:0"]);
        try
        {
            var routes = new List<(string, string[])>();
            foreach (EndpointDataSource source in ((IEndpointRouteBuilder)app).DataSources)
            {
                foreach (RouteEndpoint endpoint in source.Endpoints.OfType<RouteEndpoint>())
                {
                    string pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
                    if (pattern == "/" + PulseServer.ClientRoutePattern || pattern == OpenApiSetup.Route)
                    {
                        // The dashboard's catch-all is not an API; the document does not describe itself.
                        continue;
                    }

                    // Endpoints mapped for any method (the WebSocket feed, the health checks) are documented as GET.
                    string[] methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.ToArray() ?? ["GET"];
                    routes.Add((pattern, methods));
                }
            }

            return routes;
        }
        finally
        {
            ((IDisposable)app).Dispose();
        }
    }

    private static double SpecVersionNumber(OpenApiSpecVersion version) => version switch
    {
        OpenApiSpecVersion.OpenApi3_0 => 3.0,
        OpenApiSpecVersion.OpenApi3_1 => 3.1,
        _ => 2.0,
    };
}
