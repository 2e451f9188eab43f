using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Pulse.Tests.EndToEnd;

/// <summary>CORS for browser tracking (ingest only, listed origins only) and the security headers, against a real server.</summary>
[Trait("Category", "EndToEnd")]
public sealed class CorsAndHeadersTests
{
    private const string Shop = "https://shop.example.com";

    [Fact]
    public async Task Preflight_is_allowed_for_listed_origins_on_the_ingest_endpoint_only()
    {
        using var dir = new TempDirectory("pulse-cors");
        await using PulseProcess server = await PulseProcess.StartAsync(Path.Combine(dir.Path, "data"), null,
            $"--Pulse:Cors:AllowedOrigins:0={Shop}", "--Pulse:Cors:AllowedOrigins:1=http://localhost:3000");
        using HttpClient http = server.CreateClient();

        using (HttpResponseMessage allowed = await PreflightAsync(http, "/v1/events", Shop))
        {
            Assert.True(allowed.IsSuccessStatusCode, $"{(int)allowed.StatusCode}");
            Assert.Equal(Shop, Header(allowed, "Access-Control-Allow-Origin"));
            Assert.Contains("POST", Header(allowed, "Access-Control-Allow-Methods"), StringComparison.Ordinal);
            Assert.Contains("authorization", Header(allowed, "Access-Control-Allow-Headers")?.ToLowerInvariant(), StringComparison.Ordinal);
            Assert.Equal("3600", Header(allowed, "Access-Control-Max-Age"));
        }

        using (HttpResponseMessage denied = await PreflightAsync(http, "/v1/events", "https://evil.example.net"))
        {
            Assert.Null(Header(denied, "Access-Control-Allow-Origin"));
        }

        using (HttpResponseMessage query = await PreflightAsync(http, "/v1/metrics", Shop))
        {
            Assert.Null(Header(query, "Access-Control-Allow-Origin"));
        }

        using var post = new HttpRequestMessage(HttpMethod.Post, "/v1/events")
        {
            Content = new StringContent("""{"type":"page_view","user_id":"cors"}""", Encoding.UTF8, "application/json"),
        };
        post.Headers.Add("Origin", Shop);
        using HttpResponseMessage sent = await http.SendAsync(post);
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        Assert.Equal(Shop, Header(sent, "Access-Control-Allow-Origin"));

        using var read = new HttpRequestMessage(HttpMethod.Get, "/v1/realtime");
        read.Headers.Add("Origin", Shop);
        using HttpResponseMessage realtime = await http.SendAsync(read);
        Assert.Equal(HttpStatusCode.OK, realtime.StatusCode);
        Assert.Null(Header(realtime, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Without_configured_origins_no_cors_headers_are_sent()
    {
        using var dir = new TempDirectory("pulse-cors");
        await using PulseProcess server = await PulseProcess.StartAsync(Path.Combine(dir.Path, "data"));
        using HttpClient http = server.CreateClient();
        using HttpResponseMessage preflight = await PreflightAsync(http, "/v1/events", Shop);
        Assert.Null(Header(preflight, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task An_origin_with_a_path_fails_at_start()
    {
        using var dir = new TempDirectory("pulse-cors");
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => PulseProcess.StartAsync(Path.Combine(dir.Path, "data"), null,
            "--Pulse:Cors:AllowedOrigins:0=https://shop.example.com/checkout"));
        Assert.Contains("AllowedOrigins", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Security_headers_are_on_the_dashboard_the_api_and_errors()
    {
        using var dir = new TempDirectory("pulse-headers");
        await using PulseProcess server = await PulseProcess.StartAsync(Path.Combine(dir.Path, "data"));
        using HttpClient http = server.CreateClient();
        foreach (string path in (string[])["/", "/dashboard.js", "/v1/realtime", "/v1/metrics/nope", "/health/ready", "/no-such-page"])
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal("default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'", Header(response, "Content-Security-Policy"));
            Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
            Assert.Equal("DENY", Header(response, "X-Frame-Options"));
            Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        }

        // The dashboard itself keeps to its policy: no inline script or style for the CSP to block.
        string html = await http.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<style", html, StringComparison.Ordinal);
        Assert.DoesNotContain(" style=", html, StringComparison.Ordinal);
        Assert.Contains("No API keys are configured", server.Output, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> PreflightAsync(HttpClient http, string path, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type,authorization");
        return await http.SendAsync(request);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out IEnumerable<string>? values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;
}
