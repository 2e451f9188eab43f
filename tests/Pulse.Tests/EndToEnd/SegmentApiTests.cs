using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Pulse.Tests.EndToEnd;

/// <summary>Segment's HTTP Tracking API against a real server: the calls are counted as Pulse events, bad ones are reported, retries dedupe.</summary>
[Trait("Category", "EndToEnd")]
public sealed class SegmentApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly long From = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();
    private static readonly long To = DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeMilliseconds();

    [Fact]
    public async Task Ecommerce_spec_events_are_counted_as_pulse_types_with_their_revenue()
    {
        const string country = "seg-ecom";
        var r = await PostAsync("/v1/batch", $$$"""
            {"batch":[
              {"type":"track","userId":"shopper-1","event":"Product Viewed","properties":{"product_id":"p-7","price":12.5}},
              {"type":"track","userId":"shopper-1","event":"Product Added","properties":{"product_id":"p-7","price":12.5,"quantity":2}},
              {"type":"track","userId":"shopper-1","event":"Product Added","properties":{"product_id":"p-8","price":5.25}},
              {"type":"track","userId":"shopper-1","event":"Product Removed","properties":{"product_id":"p-8","price":5.25}},
              {"type":"track","userId":"shopper-1","event":"Checkout Started","properties":{"order_id":"o-1","value":25}},
              {"type":"track","userId":"shopper-1","event":"Order Completed","properties":{"order_id":"o-1","revenue":25,"currency":"EUR",
                "products":[{"product_id":"p-7","price":12.5,"quantity":2}]}},
              {"type":"page","userId":"shopper-1","name":"Thanks","properties":{"path":"/checkout/complete"}},
              {"type":"identify","userId":"shopper-1","traits":{"plan":"gold"}}
            ],"context":{"location":{"country":"{{{country}}}"},"device":{"type":"desktop"}} }
            """);
        Assert.Equal(HttpStatusCode.OK, r.Status);
        Assert.True(r.Body.GetProperty("success").GetBoolean());
        Assert.Equal(8, r.Body.GetProperty("accepted").GetInt32());
        Assert.Equal(0, r.Body.GetProperty("rejected").GetInt32());

        var metrics = new MetricsClient(fixture.Server.CreateClient());
        Dictionary<string, decimal> byType = await WaitForAsync(metrics, "events", "type", country, t => t.Values.Sum() == 8);
        Assert.Equal(
            new Dictionary<string, decimal> { ["page_view"] = 2, ["add_to_cart"] = 2, ["remove_from_cart"] = 1, ["checkout"] = 1, ["purchase"] = 1, ["identify"] = 1 },
            byType);
        Dictionary<string, decimal> revenue = await metrics.TotalsAsync("revenue", From, To, "product_id", [$"country:{country}"]);
        Assert.Equal(25m, Assert.Single(revenue, kv => kv.Key == "p-7").Value);
        Dictionary<string, decimal> orders = await metrics.TotalsAsync("orders", From, To, null, [$"country:{country}"]);
        Assert.Equal(1m, orders[""]);
        Dictionary<string, decimal> pages = await metrics.TotalsAsync("page_views", From, To, "page", [$"country:{country}"]);
        Assert.Equal(1m, pages["/checkout/complete"]);
    }

    [Fact]
    public async Task Each_single_call_endpoint_takes_its_call()
    {
        const string country = "seg-single";
        string context = $$$"""
            "context":{"location":{"country":"{{{country}}}"}}
            """;
        foreach ((string path, string body) in (ValueTuple<string, string>[])[
            ("/v1/track", $$"""{"userId":"s-1","event":"Video Played",{{context}}}"""),
            ("/v1/page", $$"""{"anonymousId":"s-2","name":"Home","properties":{"path":"/"},{{context}}}"""),
            ("/v1/identify", $$"""{"userId":"s-1","traits":{"email":"s@example.com"},{{context}}}"""),
        ])
        {
            var r = await PostAsync(path, body);
            Assert.True(r.Status == HttpStatusCode.OK, $"{path}: {(int)r.Status} {r.Body}");
            Assert.True(r.Body.GetProperty("success").GetBoolean());
            Assert.Equal(1, r.Body.GetProperty("accepted").GetInt32());
        }

        var metrics = new MetricsClient(fixture.Server.CreateClient());
        Dictionary<string, decimal> byType = await WaitForAsync(metrics, "events", "type", country, t => t.Values.Sum() == 3);
        Assert.Equal(new Dictionary<string, decimal> { ["video_played"] = 1, ["page_view"] = 1, ["identify"] = 1 }, byType);
    }

    [Fact]
    public async Task A_bad_call_in_a_batch_is_reported_by_index_and_the_rest_are_kept()
    {
        var r = await PostAsync("/v1/batch", """
            {"batch":[{"type":"track","userId":"b-1","event":"Fine"},{"type":"track","event":"No User"},{"type":"page","anonymousId":"b-2"}]}
            """);
        Assert.Equal(HttpStatusCode.OK, r.Status);
        Assert.True(r.Body.GetProperty("success").GetBoolean());
        Assert.Equal(2, r.Body.GetProperty("accepted").GetInt32());
        Assert.Equal(1, r.Body.GetProperty("rejected").GetInt32());
        JsonElement error = Assert.Single(r.Body.GetProperty("errors").EnumerateArray());
        Assert.Equal(1, error.GetProperty("index").GetInt32());
        Assert.Contains("userId", error.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bodies_without_a_valid_call_get_problem_json()
    {
        var allBad = await PostAsync("/v1/batch", """{"batch":[{"type":"track","event":"No User"},{"type":"nonsense","userId":"u"}]}""");
        AssertProblem(allBad, HttpStatusCode.BadRequest, "rejected");
        Assert.Equal([0, 1], allBad.Body.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("index").GetInt32()));
        AssertProblem(await PostAsync("/v1/track", """{"userId":"u","event":"""), HttpStatusCode.BadRequest, "malformed JSON");
        AssertProblem(await PostAsync("/v1/batch", """[{"type":"track"}]"""), HttpStatusCode.BadRequest, "'batch' array");
        AssertProblem(await PostAsync("/v1/batch", """{"batch":[]}"""), HttpStatusCode.BadRequest, "no events");
        AssertProblem(await PostAsync("/v1/track", "<track/>", "application/xml"), HttpStatusCode.UnsupportedMediaType, "application/json");
        AssertProblem(await PostAsync("/v1/track", "{}", "application/json", Encoding.UTF8.GetBytes("not gzip"), "gzip"), HttpStatusCode.BadRequest, "gzip");
        string tooMany = string.Join(",", Enumerable.Repeat("""{"type":"track","userId":"u","event":"E"}""", ServerFixture.MaxEventsPerRequest + 1));
        AssertProblem(await PostAsync("/v1/batch", $$"""{"batch":[{{tooMany}}]}"""), HttpStatusCode.BadRequest, "too many events");
        AssertProblem(await PostAsync("/v1/batch", $$$"""{"batch":[{"type":"track","userId":"u","event":"E","properties":{"p":"{{{new string('x', ServerFixture.MaxBodyBytes)}}}"}}]}"""),
            HttpStatusCode.RequestEntityTooLarge, "larger than");
    }

    [Fact]
    public async Task Beacons_text_plain_and_gzip_bodies_are_accepted()
    {
        var plain = await PostAsync("/v1/track", """{"userId":"t-1","event":"Beacon"}""", "text/plain;charset=UTF-8");
        Assert.Equal(HttpStatusCode.OK, plain.Status);
        byte[] raw = Encoding.UTF8.GetBytes("""{"batch":[{"type":"track","userId":"t-1","event":"Zipped"}]}""");
        using var zipped = new MemoryStream();
        using (var gzip = new GZipStream(zipped, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(raw);
        }

        var compressed = await PostAsync("/v1/batch", "", "application/json", zipped.ToArray(), "gzip");
        Assert.Equal(HttpStatusCode.OK, compressed.Status);
        Assert.Equal(1, compressed.Body.GetProperty("accepted").GetInt32());
    }

    [Fact]
    public async Task A_retried_batch_is_counted_once_because_message_id_is_the_event_id()
    {
        const string country = "seg-dedupe";
        string run = Guid.NewGuid().ToString("N");
        string body = $$$"""
            {"batch":[
              {"type":"track","userId":"d-1","event":"Product Added","messageId":"{{{run}}}-1","properties":{"product_id":"p-1","price":1}},
              {"type":"track","userId":"d-2","event":"Product Added","messageId":"{{{run}}}-2","properties":{"product_id":"p-1","price":1}},
              {"type":"page","userId":"d-3","messageId":"{{{run}}}-3","properties":{"path":"/"}}
            ],"context":{"location":{"country":"{{{country}}}"}} }
            """;
        var first = await PostAsync("/v1/batch", body);
        Assert.Equal(3, first.Body.GetProperty("accepted").GetInt32());
        var retry = await PostAsync("/v1/batch", body);
        Assert.Equal(HttpStatusCode.OK, retry.Status);
        Assert.True(retry.Body.GetProperty("success").GetBoolean());
        Assert.Equal(0, retry.Body.GetProperty("accepted").GetInt32());
        Assert.Equal(3, retry.Body.GetProperty("duplicates").GetInt32());

        var metrics = new MetricsClient(fixture.Server.CreateClient());
        await WaitForAsync(metrics, "events", "type", country, t => t.Values.Sum() == 3);
        // Both requests were acknowledged before this query: a second copy, had it been appended, would show by now.
        await Task.Delay(1500);
        Dictionary<string, decimal> byType = await metrics.TotalsAsync("events", From, To, "type", [$"country:{country}"]);
        Assert.Equal(new Dictionary<string, decimal> { ["add_to_cart"] = 2, ["page_view"] = 1 }, byType);
    }

    private async Task<(HttpStatusCode Status, string? MediaType, JsonElement Body)> PostAsync(string path, string body, string contentType = "application/json", byte[]? raw = null, string? encoding = null)
    {
        using HttpClient http = fixture.Server.CreateClient();
        using var content = new ByteArrayContent(raw ?? Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (encoding is not null)
        {
            content.Headers.ContentEncoding.Add(encoding);
        }

        using HttpResponseMessage response = await http.PostAsync(new Uri(path, UriKind.Relative), content);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static void AssertProblem((HttpStatusCode Status, string? MediaType, JsonElement Body) r, HttpStatusCode status, string detailPart)
    {
        Assert.Equal(status, r.Status);
        Assert.Equal("application/problem+json", r.MediaType);
        Assert.Equal((int)status, r.Body.GetProperty("status").GetInt32());
        Assert.Contains(detailPart, r.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    internal static async Task<Dictionary<string, decimal>> WaitForAsync(MetricsClient metrics, string metric, string groupBy, string country, Func<Dictionary<string, decimal>, bool> done)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Dictionary<string, decimal> totals = [];
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            totals = await metrics.TotalsAsync(metric, From, To, groupBy, [$"country:{country}"]);
            if (done(totals))
            {
                return totals;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{metric} by {groupBy} for country {country} stayed at {string.Join(", ", totals.Select(kv => $"{kv.Key}={kv.Value}"))}");
        return totals;
    }
}
