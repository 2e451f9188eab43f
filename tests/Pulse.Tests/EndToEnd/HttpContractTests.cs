using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Pulse.Tests.EndToEnd;

/// <summary>The HTTP contract against a real server: bad input gets a clear 4xx problem+json and never harms the process.</summary>
[Trait("Category", "EndToEnd")]
public sealed class HttpContractTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private async Task<(HttpStatusCode Status, string? MediaType, JsonElement Body)> PostAsync(byte[] body, string? contentType = "application/json", string? encoding = null)
    {
        using HttpClient http = fixture.Server.CreateClient();
        using var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (encoding is not null)
        {
            content.Headers.ContentEncoding.Add(encoding);
        }

        using HttpResponseMessage response = await http.PostAsync(new Uri("/v1/events", UriKind.Relative), content);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static void AssertProblem((HttpStatusCode Status, string? MediaType, JsonElement Body) r, HttpStatusCode status, string detailPart)
    {
        Assert.Equal(status, r.Status);
        Assert.Equal("application/problem+json", r.MediaType);
        Assert.Equal((int)status, r.Body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(r.Body.GetProperty("title").GetString()));
        Assert.Contains(detailPart, r.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Valid_events_in_a_batch_are_accepted_beside_rejected_ones()
    {
        string body = $$"""
            [{"type":"page_view","user_id":"a","event_id":"mix-1","timestamp":{{Now}}},
             {"type":"page_view","user_id":"a","price":"free"},
             {"type":"page_view","user_id":"a","timestamp":{{Now + (25 * 3_600_000L)}}},
             {"type":"click","anonymous_id":"b","event_id":"mix-2"}]
            """;
        var r = await PostAsync(Utf8(body));
        Assert.Equal(HttpStatusCode.Accepted, r.Status);
        Assert.Equal(2, r.Body.GetProperty("accepted").GetInt32());
        Assert.Equal(2, r.Body.GetProperty("rejected").GetInt32());
        JsonElement[] errors = [.. r.Body.GetProperty("errors").EnumerateArray()];
        Assert.Equal([1, 2], errors.Select(e => e.GetProperty("index").GetInt32()));
        Assert.Contains("price", errors[0].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("future", errors[1].GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_bodies_get_problem_json()
    {
        AssertProblem(await PostAsync(Utf8("{\"type\": \"page_view\", \"user_id\": ")), HttpStatusCode.BadRequest, "malformed JSON");
        AssertProblem(await PostAsync(Utf8("[]")), HttpStatusCode.BadRequest, "no events");
        var allBad = await PostAsync(Utf8("[{\"type\":\"Page View\",\"user_id\":\"a\"},{\"user_id\":\"a\"}]"));
        AssertProblem(allBad, HttpStatusCode.BadRequest, "rejected");
        Assert.Equal(2, allBad.Body.GetProperty("errors").GetArrayLength());
        byte[] invalidUtf8 = [.. Utf8("{\"type\":\"page_view\",\"user_id\":\""), 0xC3, 0x28, .. Utf8("\"}")];
        AssertProblem(await PostAsync(invalidUtf8), HttpStatusCode.BadRequest, "rejected");
        AssertProblem(await PostAsync(Utf8("type=page_view"), "text/plain"), HttpStatusCode.UnsupportedMediaType, "application/x-ndjson");
        AssertProblem(await PostAsync(Utf8("{}"), "application/json", "br"), HttpStatusCode.UnsupportedMediaType, "gzip");
        AssertProblem(await PostAsync(Utf8("not gzip at all"), "application/json", "gzip"), HttpStatusCode.BadRequest, "gzip");
    }

    [Fact]
    public async Task Size_limits_hold_before_and_after_decompression()
    {
        byte[] big = new byte[ServerFixture.MaxBodyBytes + 1];
        Array.Fill(big, (byte)' ');
        AssertProblem(await PostAsync(big), HttpStatusCode.RequestEntityTooLarge, "larger than");

        // The same without a declared length (chunked): Kestrel's limit, still a 413 problem.
        using (HttpClient http = fixture.Server.CreateClient())
        {
            using var chunked = new StreamContent(new MemoryStream(big));
            chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = chunked };
            request.Headers.TransferEncodingChunked = true;
            using HttpResponseMessage response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        // A gzip bomb: 64 KB on the wire, 64 MB inflated.
        using var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++)
            {
                gzip.Write(zeros);
            }
        }

        AssertProblem(await PostAsync(packed.ToArray(), "application/json", "gzip"), HttpStatusCode.RequestEntityTooLarge, "after decompression");
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task Each_ingest_limit_is_a_clear_4xx()
    {
        // Batch length: one event over the limit voids the body, before anything is appended.
        string tooMany = "[" + string.Join(',', Enumerable.Repeat("""{"type":"click","user_id":"u"}""", ServerFixture.MaxEventsPerRequest + 1)) + "]";
        AssertProblem(await PostAsync(Utf8(tooMany)), HttpStatusCode.BadRequest, $"at most {ServerFixture.MaxEventsPerRequest} per request");
        string ndjsonTooMany = string.Join('\n', Enumerable.Repeat("""{"type":"click","user_id":"u"}""", ServerFixture.MaxEventsPerRequest + 1));
        AssertProblem(await PostAsync(Utf8(ndjsonTooMany), "application/x-ndjson"), HttpStatusCode.BadRequest, $"at most {ServerFixture.MaxEventsPerRequest} per request");

        // Per-event limits reject the event, and name the limit, while its neighbours are accepted.
        string nested = new string('[', 9) + new string(']', 9);
        (string Event, string Error)[] cases =
        [
            ($$"""{"type":"click","user_id":"u","extra":{{nested}}}""", "nesting deeper than 8"),
            ($$"""{"type":"click","user_id":"{{new string('u', 257)}}"}""", "'user_id' must be at most 256 bytes"),
            ($$"""{"type":"click","user_id":"u","event_id":"{{new string('e', 129)}}"}""", "'event_id' must be at most 128 bytes"),
            ($$"""{"type":"click","user_id":"u","page":"/{{new string('p', 2048)}}"}""", "'page' must be at most 2048 bytes"),
            ($$"""{"type":"{{new string('t', 65)}}","user_id":"u"}""", "'type' must be at most 64 bytes"),
            ($$"""{"type":"click","user_id":"u","country":"{{new string('c', 65)}}"}""", "'country' must be at most 64 bytes"),
            ("{\"type\":\"click\",\"user_id\":\"u\",\"properties\":{" + string.Join(',', Enumerable.Range(0, 65).Select(i => $"\"k{i}\":{i}")) + "}}", "more than 64 entries"),
            ("{\"type\":\"click\",\"user_id\":\"u\",\"properties\":{\"" + new string('k', 129) + "\":1}}", "key longer than 128 bytes"),
            ("{\"type\":\"click\",\"user_id\":\"u\",\"properties\":{\"k\":\"" + new string('v', 2049) + "\"}}", "value longer than 2048 bytes"),
        ];
        foreach ((string bad, string error) in cases)
        {
            var mixed = await PostAsync(Utf8($$"""[{"type":"click","user_id":"ok"},{{bad}}]"""));
            Assert.Equal(HttpStatusCode.Accepted, mixed.Status);
            Assert.Equal(1, mixed.Body.GetProperty("accepted").GetInt32());
            JsonElement rejected = mixed.Body.GetProperty("errors")[0];
            Assert.Equal(1, rejected.GetProperty("index").GetInt32());
            Assert.Contains(error, rejected.GetProperty("error").GetString(), StringComparison.Ordinal);

            var alone = await PostAsync(Utf8(bad));
            AssertProblem(alone, HttpStatusCode.BadRequest, "rejected");
            Assert.Contains(error, alone.Body.GetProperty("errors")[0].GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        // Nesting beyond what the reader takes at all is a malformed body, not a crash.
        AssertProblem(await PostAsync(Utf8(new string('[', 500) + new string(']', 500))), HttpStatusCode.BadRequest, "");
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task Gzip_ndjson_is_accepted_and_retries_are_counted_once()
    {
        string ndjson = string.Join('\n', Enumerable.Range(0, 50).Select(i => $$"""{"type":"add_to_cart","user_id":"g{{i}}","event_id":"gz-{{i}}","product_id":"p1","price":2.5}"""));
        using var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Utf8(ndjson));
        }

        var first = await PostAsync(packed.ToArray(), "application/x-ndjson", "gzip");
        Assert.Equal(50, first.Body.GetProperty("accepted").GetInt32());
        var retry = await PostAsync(packed.ToArray(), "application/x-ndjson", "gzip");
        Assert.Equal(0, retry.Body.GetProperty("accepted").GetInt32());
        Assert.Equal(50, retry.Body.GetProperty("duplicates").GetInt32());
    }

    [Fact]
    public async Task Query_errors_are_problem_json_and_the_catalogue_lists_the_built_ins()
    {
        using HttpClient http = fixture.Server.CreateClient();
        var client = new MetricsClient(http);
        JsonElement catalogue = await client.GetJsonAsync("/v1/metrics");
        Assert.Equal(["events", "page_views", "unique_users", "revenue", "orders", "late_events", "sessions", "bounce_rate", "session_duration_seconds", "pages_per_session", "entry_pages", "exit_pages", "cart_abandonment", "purchase_burst"],
            catalogue.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("name").GetString()));

        foreach ((string path, HttpStatusCode status, string detail) in new[]
        {
            ("/v1/metrics/nope", HttpStatusCode.NotFound, "no metric 'nope'"),
            ("/v1/metrics/events?step=7s", HttpStatusCode.BadRequest, "'step' must be one of"),
            ("/v1/metrics/events?step=1s&group_by=page", HttpStatusCode.BadRequest, "step 1m or more"),
            ("/v1/metrics/revenue?group_by=type", HttpStatusCode.BadRequest, "not a dimension of 'revenue'"),
            ("/v1/metrics/events?filter=country", HttpStatusCode.BadRequest, "dimension:value"),
        })
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri(path, UriKind.Relative));
            string text = await response.Content.ReadAsStringAsync();
            AssertProblem((response.StatusCode, response.Content.Headers.ContentType?.MediaType, JsonDocument.Parse(text).RootElement), status, detail);
        }
    }

    [Fact]
    public async Task Live_feed_pushes_snapshots_at_the_asked_interval()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{fixture.Server.Port}/v1/live?interval_ms=100"), CancellationToken.None);
        var buffer = new byte[64 * 1024];
        var stamps = new List<long>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (stamps.Count < 4)
        {
            WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            Assert.True(result.EndOfMessage);
            using JsonDocument message = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
            Assert.Equal("snapshot", message.RootElement.GetProperty("type").GetString());
            JsonElement data = message.RootElement.GetProperty("data");
            foreach (string field in (string[])["ts", "events_per_second", "events_last_minute", "active_users_5m", "revenue_last_hour", "by_type", "top_pages", "top_products", "pipeline"])
            {
                Assert.True(data.TryGetProperty(field, out _), $"snapshot lacks '{field}'");
            }

            stamps.Add(watch.ElapsedMilliseconds);
        }

        // Four messages at 100 ms take well under the default 1 s cadence each.
        Assert.True(stamps[^1] - stamps[0] < 1500, $"messages at {string.Join(",", stamps)} ms");
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }

    [Fact]
    public async Task Health_endpoints_answer()
    {
        await AssertHealthyAsync();
        using HttpClient http = fixture.Server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
    }

    private async Task AssertHealthyAsync()
    {
        using HttpClient http = fixture.Server.CreateClient();
        var client = new MetricsClient(http);
        JsonElement ready = await client.GetJsonAsync("/health/ready");
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        foreach (string check in (string[])["log", "store", "processing", "dedupe"])
        {
            Assert.True(ready.GetProperty("checks").TryGetProperty(check, out _), $"no '{check}' check");
        }
    }
}
