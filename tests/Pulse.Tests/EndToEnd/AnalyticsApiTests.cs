using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using static Pulse.Tests.Processing.TestEvents;

namespace Pulse.Tests.EndToEnd;

/// <summary>
/// Sessions, the checkout funnel, cart abandonment and anomalies through a real server: events sent
/// over HTTP, results read from the query API and the live feed, and a kill -9 that changes nothing.
/// Short session gap and lateness so the idle partitions end sessions within seconds.
/// </summary>
public sealed class AnalyticsApiTests
{
    private static readonly string[] Settings =
    [
        "--Pulse:Analytics:SessionGap=00:00:02", "--Pulse:Processing:AllowedLateness=00:00:01", "--Pulse:Processing:IdleTimeout=00:00:01",
        "--Pulse:Processing:RollupCheckpointInterval=00:00:01",
    ];

    [Fact]
    public async Task Sessions_funnel_and_cart_abandonment_are_served_pushed_live_and_survive_kill_9()
    {
        using var dir = new TempDirectory("pulse-analytics");
        string data = Path.Combine(dir.Path, "data");
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        string range = $"from={now - 3_600_000}&to={now + 3_600_000}";
        await using (PulseProcess server = await PulseProcess.StartAsync(data, null, Settings))
        {
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/v1/live?interval_ms=1000"), CancellationToken.None);
            using HttpClient http = server.CreateClient();
            var client = new MetricsClient(http);
            (HttpStatusCode status, _) = await client.PostNdjsonAsync(string.Join('\n',
                Event("page_view", now, "buyer", page: "/product/p1", country: "DE"),
                Event("add_to_cart", now + 100, "buyer", product: "p1"),
                Event("checkout", now + 200, "buyer"),
                Event("purchase", now + 300, "buyer", revenue: 20m),
                Event("page_view", now + 50, "leaver", page: "/product/p2", country: "FR"),
                Event("add_to_cart", now + 150, "leaver", product: "p2")));
            Assert.Equal(HttpStatusCode.Accepted, status);

            JsonElement pushed = await ReceivePatternAsync(socket, TimeSpan.FromSeconds(20));
            Assert.Equal("cart_abandonment", pushed.GetProperty("pattern").GetString());
            Assert.Equal("leaver", pushed.GetProperty("user_id").GetString());

            JsonElement matches = await client.GetJsonAsync($"/v1/patterns/cart_abandonment/matches?{range}");
            Assert.Equal("leaver", Assert.Single(matches.GetProperty("matches").EnumerateArray()).GetProperty("user_id").GetString());
            JsonElement counted = await client.GetJsonAsync($"/v1/metrics/cart_abandonment?{range}&step=1h");
            Assert.Equal(1m, counted.GetProperty("series")[0].GetProperty("total").GetDecimal());
            Assert.Equal(1m, counted.GetProperty("series")[0].GetProperty("points").EnumerateArray().Sum(p => p[1].GetDecimal()));
            using (HttpResponseMessage grouped = await http.GetAsync(new Uri($"/v1/metrics/cart_abandonment?{range}&group_by=country", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.BadRequest, grouped.StatusCode);
            }

            JsonElement funnel = await client.GetJsonAsync($"/v1/funnels/checkout?{range}");
            Assert.Equal([2L, 2L, 1L, 1L], funnel.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("users").GetInt64()));
            Assert.Equal(0.5, funnel.GetProperty("steps")[2].GetProperty("conversion").GetDouble());

            await AssertSessionsAsync(client, range);
            JsonElement anomalies = await client.GetJsonAsync($"/v1/anomalies?{range}");
            Assert.Equal(JsonValueKind.Array, anomalies.GetProperty("anomalies").ValueKind);

            using HttpResponseMessage unknown = await http.GetAsync(new Uri("/v1/funnels/nope", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Contains("checkout", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            await server.KillAsync();
        }

        // After kill -9 the state restarts from the last full checkpoint; what came after is derived
        // again from the log — the match exactly once, whether or not it had been stored.
        await using (PulseProcess again = await PulseProcess.StartAsync(data, null, Settings))
        {
            var client = new MetricsClient(again.CreateClient());
            string matchesPath = $"/v1/patterns/cart_abandonment/matches?{range}";
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while ((await client.GetJsonAsync(matchesPath)).GetProperty("matches").GetArrayLength() == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }

            await Task.Delay(2000);
            JsonElement matches = await client.GetJsonAsync(matchesPath);
            Assert.Equal("leaver", Assert.Single(matches.GetProperty("matches").EnumerateArray()).GetProperty("user_id").GetString());
            JsonElement funnel = await client.GetJsonAsync($"/v1/funnels/checkout?{range}");
            Assert.Equal([2L, 2L, 1L, 1L], funnel.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("users").GetInt64()));
            await AssertSessionsAsync(client, range);
        }
    }

    private static async Task AssertSessionsAsync(MetricsClient client, string range)
    {
        JsonElement sessions = await client.GetJsonAsync($"/v1/metrics/sessions?{range}&group_by=country");
        Assert.Equal(2m, sessions.GetProperty("series").EnumerateArray().Sum(s => s.GetProperty("total").GetDecimal()));
        JsonElement pages = await client.GetJsonAsync($"/v1/metrics/pages_per_session?{range}&stat=max");
        Assert.Equal("max", pages.GetProperty("stat").GetString());
        Assert.Equal(1m, Math.Round(pages.GetProperty("series")[0].GetProperty("total").GetDecimal()));
        JsonElement bounce = await client.GetJsonAsync($"/v1/metrics/bounce_rate?{range}");
        Assert.Equal(1m, bounce.GetProperty("series")[0].GetProperty("total").GetDecimal());
    }

    private static async Task<JsonElement> ReceivePatternAsync(ClientWebSocket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[256 * 1024];
        while (true)
        {
            WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, cts.Token);
            using JsonDocument message = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
            if (message.RootElement.GetProperty("type").GetString() == "pattern")
            {
                return message.RootElement.GetProperty("data").Clone();
            }
        }
    }
}

/// <summary><c>/v1/definitions</c> over HTTP: create, validate, list, run, delete, and keep across a restart.</summary>
public sealed class DefinitionApiTests
{
    private const string Burst = """{"kind": "count", "event": {"type": "click", "properties.target": "buy"}, "at_least": 3, "within": "10s"}""";

    [Fact]
    public async Task Definitions_are_created_validated_run_listed_deleted_and_kept_across_a_restart()
    {
        using var dir = new TempDirectory("pulse-definitions");
        string data = Path.Combine(dir.Path, "data");
        string[] settings = ["--Pulse:Processing:AllowedLateness=00:00:01", "--Pulse:Processing:IdleTimeout=00:00:01"];
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using (PulseProcess server = await PulseProcess.StartAsync(data, null, settings))
        {
            using HttpClient http = server.CreateClient();
            using HttpResponseMessage created = await PutAsync(http, "click_burst", Burst);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            using (JsonDocument body = JsonDocument.Parse(await created.Content.ReadAsStringAsync()))
            {
                Assert.Equal("count", body.RootElement.GetProperty("kind").GetString());
                Assert.Equal(3, body.RootElement.GetProperty("definition").GetProperty("at_least").GetInt32());
            }

            using HttpResponseMessage again = await PutAsync(http, "click_burst", Burst);
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);

            using HttpResponseMessage invalid = await PutAsync(http, "broken", """{"kind": "funnel", "steps": [{"name": "a", "wen": {}}]}""");
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
            Assert.Equal("application/problem+json", invalid.Content.Headers.ContentType?.MediaType);
            using (JsonDocument problem = JsonDocument.Parse(await invalid.Content.ReadAsStringAsync()))
            {
                string[] paths = [.. problem.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("path").GetString()!)];
                Assert.Contains("steps", paths);
                Assert.Contains("steps[0].wen", paths);
            }

            using HttpResponseMessage builtIn = await PutAsync(http, "checkout", Burst);
            Assert.Equal(HttpStatusCode.Conflict, builtIn.StatusCode);

            var client = new MetricsClient(http);
            var clicks = Enumerable.Range(0, 3).Select(i =>
                $$$"""{"type":"click","timestamp":{{{now + (i * 100)}}},"user_id":"fan","properties":{"target":"buy"}}""");
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostNdjsonAsync(string.Join('\n', clicks))).Status);
            string matchesPath = $"/v1/patterns/click_burst/matches?from={now - 60_000}&to={now + 60_000}";
            var deadline = DateTime.UtcNow.AddSeconds(20);
            JsonElement matches;
            while ((matches = await client.GetJsonAsync(matchesPath)).GetProperty("matches").GetArrayLength() == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }

            Assert.Equal("fan", Assert.Single(matches.GetProperty("matches").EnumerateArray()).GetProperty("user_id").GetString());
            await server.StopAsync();
        }

        await using (PulseProcess restarted = await PulseProcess.StartAsync(data, null, settings))
        {
            using HttpClient http = restarted.CreateClient();
            var client = new MetricsClient(http);
            JsonElement list = await client.GetJsonAsync("/v1/definitions");
            Assert.Equal(["checkout", "cart_abandonment", "purchase_burst", "click_burst"],
                list.GetProperty("definitions").EnumerateArray().Select(d => d.GetProperty("name").GetString()));
            Assert.False(list.GetProperty("definitions")[3].GetProperty("builtin").GetBoolean());

            using HttpResponseMessage deleted = await http.DeleteAsync(new Uri("/v1/definitions/click_burst", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
            using HttpResponseMessage gone = await http.GetAsync(new Uri("/v1/definitions/click_burst", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
            using HttpResponseMessage matches = await http.GetAsync(new Uri("/v1/patterns/click_burst/matches", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, matches.StatusCode);
        }
    }

    [Fact]
    public async Task A_user_metric_defined_over_http_is_listed_and_queried_like_a_built_in()
    {
        using var dir = new TempDirectory("pulse-user-metric");
        await using PulseProcess server = await PulseProcess.StartAsync(Path.Combine(dir.Path, "data"), null);
        using HttpClient http = server.CreateClient();
        using HttpResponseMessage created = await PutAsync(http, "revenue_by_plan",
            """{"kind": "metric", "filter": {"type": "purchase"}, "aggregate": "sum", "field": "revenue", "group_by": ["properties.plan"], "description": "Revenue by plan"}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var client = new MetricsClient(http);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        string[] events =
        [
            $$$"""{"type":"purchase","timestamp":{{{now}}},"user_id":"a","revenue":10.5,"properties":{"plan":"pro"}}""",
            $$$"""{"type":"purchase","timestamp":{{{now + 1}}},"user_id":"b","revenue":4,"properties":{"plan":"pro"}}""",
            $$$"""{"type":"purchase","timestamp":{{{now + 2}}},"user_id":"c","revenue":7,"properties":{"plan":"free"}}""",
            $$$"""{"type":"page_view","timestamp":{{{now + 3}}},"user_id":"c","properties":{"plan":"free"}}""",
        ];
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostNdjsonAsync(string.Join('\n', events))).Status);

        JsonElement catalogue = await client.GetJsonAsync("/v1/metrics");
        JsonElement listed = catalogue.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "revenue_by_plan");
        Assert.Equal("sum", listed.GetProperty("kind").GetString());
        Assert.Equal("properties.plan", listed.GetProperty("dimensions")[0].GetString());

        string path = $"/v1/metrics/revenue_by_plan?from={now - 60_000}&to={now + 60_000}&group_by=properties.plan";
        var deadline = DateTime.UtcNow.AddSeconds(10);
        JsonElement result;
        while ((result = await client.GetJsonAsync(path)).GetProperty("series").GetArrayLength() < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var totals = result.GetProperty("series").EnumerateArray().ToDictionary(s => s.GetProperty("group").GetProperty("properties.plan").GetString()!, s => s.GetProperty("total").GetDecimal());
        Assert.Equal(14.5m, totals["pro"]);
        Assert.Equal(7m, totals["free"]);

        using HttpResponseMessage bad = await http.GetAsync(new Uri($"/v1/metrics/revenue_by_plan?group_by=country", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("properties.plan", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> PutAsync(HttpClient http, string name, string json) =>
        http.PutAsync(new Uri($"/v1/definitions/{name}", UriKind.Relative), new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
}
