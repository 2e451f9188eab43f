using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Pulse.Tests.EndToEnd;

/// <summary>Every scope against every endpoint of a real server with keys: 401 without a valid key, 403 with the wrong scope.</summary>
[Trait("Category", "EndToEnd")]
public sealed class AuthMatrixTests(SecuredServerFixture fixture) : IClassFixture<SecuredServerFixture>
{
    private const string Write = SecuredServerFixture.WriteKey;
    private const string Read = SecuredServerFixture.ReadKey;
    private const string Admin = SecuredServerFixture.AdminKey;
    private const string Wrong = SecuredServerFixture.WrongKey;

    public static TheoryData<string, string, string?, int> Matrix()
    {
        var data = new TheoryData<string, string, string?, int>();
        // (method, path, key, expected status); 0 means "passed auth": anything but 401 and 403.
        (string Method, string Path, string Scope)[] endpoints =
        [
            ("POST", "/v1/events", "write"),
            ("GET", "/v1/metrics", "read"),
            ("GET", "/v1/metrics/events", "read"),
            ("GET", "/v1/realtime", "read"),
            ("GET", "/metrics", "read"),
            ("GET", "/v1/definitions", "admin"),
            ("PUT", "/v1/definitions/my_metric", "admin"),
        ];
        foreach ((string method, string path, string scope) in endpoints)
        {
            data.Add(method, path, null, 401);
            data.Add(method, path, Wrong, 401);
            data.Add(method, path, Write, scope == "write" ? 0 : 403);
            data.Add(method, path, Read, scope == "read" ? 0 : 403);
            data.Add(method, path, Admin, 0);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Each_scope_reaches_only_its_endpoints(string method, string path, string? key, int expected)
    {
        using HttpClient http = fixture.Server.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (method != "GET")
        {
            request.Content = new StringContent("""{"type":"page_view","user_id":"auth-matrix"}""", Encoding.UTF8, "application/json");
        }

        using HttpResponseMessage response = await http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        if (expected == 0)
        {
            Assert.True(response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{method} {path}: {(int)response.StatusCode} {body}");
            if (path == "/v1/events")
            {
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }

            return;
        }

        Assert.Equal((HttpStatusCode)expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument problem = JsonDocument.Parse(body);
        Assert.Equal(expected, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains("key", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        if (expected == 401)
        {
            string challenge = response.Headers.WwwAuthenticate.ToString();
            Assert.StartsWith("Bearer", challenge, StringComparison.Ordinal);
            Assert.Equal(key is not null, challenge.Contains("invalid_token", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Operations_and_the_dashboard_need_no_key()
    {
        using HttpClient http = fixture.Server.CreateClient();
        foreach (string path in (string[])["/health/live", "/health/ready", "/", "/index.html", "/explore", "/pipeline"])
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task A_malformed_authorization_header_is_a_401()
    {
        using HttpClient http = fixture.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/metrics");
        request.Headers.TryAddWithoutValidation("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Read + ":")));
        using HttpResponseMessage response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData(null, false, 401)]
    [InlineData(Wrong, false, 401)]
    [InlineData(Write, false, 403)]
    [InlineData(Read, false, 0)]
    [InlineData(Admin, false, 0)]
    [InlineData(Wrong, true, 401)]
    [InlineData(Write, true, 403)]
    [InlineData(Read, true, 0)]
    [InlineData(Admin, true, 0)]
    public async Task The_live_feed_takes_the_key_as_a_subprotocol_or_a_header(string? key, bool header, int expected)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.AddSubProtocol("pulse.v1");
        if (key is not null && header)
        {
            socket.Options.SetRequestHeader("Authorization", $"Bearer {key}");
        }
        else if (key is not null)
        {
            socket.Options.AddSubProtocol($"pulse.bearer.{key}");
        }

        var uri = new Uri($"ws://127.0.0.1:{fixture.Server.Port}/v1/live?interval_ms=100");
        if (expected != 0)
        {
            await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, CancellationToken.None));
            Assert.Equal((HttpStatusCode)expected, socket.HttpStatusCode);
            return;
        }

        await socket.ConnectAsync(uri, CancellationToken.None);
        Assert.NotEqual($"pulse.bearer.{key}", socket.SubProtocol);
        var buffer = new byte[64 * 1024];
        WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, CancellationToken.None);
        using JsonDocument message = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
        Assert.Equal("snapshot", message.RootElement.GetProperty("type").GetString());
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }

    [Fact]
    public async Task Keys_never_reach_the_log()
    {
        using HttpClient http = fixture.Server.CreateClient();
        foreach (string key in (string[])[Write, Read, Admin, Wrong])
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/definitions");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using HttpResponseMessage response = await http.SendAsync(request);
        }

        await Task.Delay(200);
        string output = fixture.Server.Output;
        Assert.Contains("API keys: 1 write, 1 read, 1 admin", output, StringComparison.Ordinal);
        Assert.Contains("not one of the configured keys", output, StringComparison.Ordinal);
        foreach (string key in (string[])[Write, Read, Admin, Wrong])
        {
            Assert.DoesNotContain(key, output, StringComparison.Ordinal);
        }
    }
}
