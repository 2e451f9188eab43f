using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using Pulse.Tests.EndToEnd;

namespace Pulse.Tests.Metrics;

/// <summary><c>GET /metrics</c> of a real server: valid per promtool, and the numbers follow what was sent.</summary>
[Trait("Category", "EndToEnd")]
public sealed class MetricsEndpointTests
{
    private static string Batch(string prefix, int valid)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var body = new StringBuilder();
        for (int i = 0; i < valid; i++)
        {
            body.Append($$"""{"event_id":"{{prefix}}-{{i}}","type":"page_view","user_id":"u{{i}}","page":"/p/{{i % 3}}","timestamp":{{now}}}""").Append('\n');
        }

        body.Append("""{"type":"page_view"}""").Append('\n');             // missing user
        body.Append("""{"type":"page_view","user_id":""").Append('\n'); // malformed line
        return body.ToString();
    }

    [Fact]
    public async Task Counters_follow_what_was_sent_and_promtool_accepts_the_exposition()
    {
        using var dir = new TempDirectory("pulse-metrics");
        await using PulseProcess server = await PulseProcess.StartAsync(Path.Combine(dir.Path, "data"));
        using HttpClient http = server.CreateClient();
        var client = new MetricsClient(http);

        Scrape before = await Scrape.TakeAsync(http);
        Assert.Equal(0, before.Value("pulse_ingest_events_accepted_total"));

        string batch = Batch("m", 10);
        (HttpStatusCode first, _) = await client.PostNdjsonAsync(batch);
        (HttpStatusCode again, _) = await client.PostNdjsonAsync(batch);
        Assert.Equal(HttpStatusCode.Accepted, first);
        Assert.Equal(HttpStatusCode.Accepted, again);
        using (var wrongType = new StringContent("x", Encoding.UTF8, new MediaTypeHeaderValue("text/plain")))
        {
            using HttpResponseMessage refused = await http.PostAsync(new Uri("/v1/events", UriKind.Relative), wrongType);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
        }

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/v1/live?interval_ms=100"), CancellationToken.None);
        WebSocketReceiveResult message = await socket.ReceiveAsync(new byte[64 * 1024], CancellationToken.None);
        Assert.Equal(WebSocketMessageType.Text, message.MessageType);
        (await client.GetJsonAsync("/v1/metrics/events?from=0&to=9999999999999")).GetProperty("series");

        Scrape after = await WaitForAsync(http, s => s.Sum("pulse_processing_events_total") == 10 && s.Value("pulse_checkpoints_total") > 0);

        Assert.Equal(10, after.Value("pulse_ingest_events_accepted_total"));
        Assert.Equal(10, after.Value("pulse_ingest_events_duplicate_total"));
        Assert.Equal(24, after.Value("pulse_ingest_events_received_total"));
        Assert.Equal(2, after.Value("pulse_ingest_events_rejected_total{reason=\"missing_field\"}"));
        Assert.Equal(2, after.Value("pulse_ingest_events_rejected_total{reason=\"malformed_json\"}"));
        Assert.Equal(4, after.Sum("pulse_ingest_events_rejected_total"));
        Assert.Equal(1, after.Value("pulse_ingest_requests_rejected_total{reason=\"unsupported_media_type\"}"));
        Assert.Equal(2, after.Value("pulse_ingest_batch_events_count"));
        Assert.Equal(24, after.Value("pulse_ingest_batch_events_sum"));
        Assert.Equal(2 * Encoding.UTF8.GetByteCount(batch), after.Value("pulse_ingest_request_body_bytes_sum"));

        Assert.Equal(2, after.Value("pulse_http_requests_total{method=\"POST\",route=\"/v1/events\",status=\"202\"}"));
        Assert.Equal(1, after.Value("pulse_http_requests_total{method=\"POST\",route=\"/v1/events\",status=\"415\"}"));
        Assert.Equal(1, after.Value("pulse_http_requests_total{method=\"GET\",route=\"/v1/metrics/{name}\",status=\"200\"}"));
        Assert.Equal(2, after.Value("pulse_http_request_duration_seconds_count{method=\"POST\",route=\"/v1/events\",status=\"202\"}"));
        Assert.True(after.Value("pulse_http_requests_total{method=\"GET\",route=\"/metrics\",status=\"200\"}") >= 1);
        Assert.Equal(1, after.Value("pulse_query_duration_seconds_count{endpoint=\"metric\"}"));
        // The WebSocket session is still open: counted in flight, not yet as a completed request.
        Assert.True(after.Value("pulse_http_requests_in_flight") >= 1);

        Assert.Equal(10, after.Sum("pulse_log_records_appended_total"));
        Assert.Equal(10, after.Sum("pulse_processing_events_total"));
        Assert.Equal(0, after.Sum("pulse_processing_lag_events"));
        Assert.Equal(0, after.Sum("pulse_processing_lag_seconds"));
        Assert.True(after.Sum("pulse_log_size_bytes") > 0);
        Assert.True(after.Sum("pulse_log_segments") >= after.SeriesCount("pulse_log_segments"));
        Assert.True(after.Value("pulse_log_fsync_duration_seconds_count") >= 1);
        Assert.Equal(after.Value("pulse_log_fsync_duration_seconds_count"), after.Value("pulse_log_fsync_duration_seconds_bucket{le=\"+Inf\"}"));
        Assert.Equal(after.Sum("pulse_log_fsyncs_total"), after.Value("pulse_log_fsync_duration_seconds_count"));
        // Both requests wait for the log: the repeat's partitions wait until the first copies are durable.
        Assert.Equal(2, after.Value("pulse_log_append_duration_seconds_count"));
        Assert.True(after.Value("pulse_freshness_seconds_count") >= 1);
        Assert.Equal(10, after.Value("pulse_processing_batch_events_sum"));
        Assert.True(after.Value("pulse_checkpoint_duration_seconds_count") >= after.Value("pulse_checkpoints_total"));
        Assert.True(after.Value("pulse_store_write_duration_seconds_count") >= 1);
        Assert.True(after.Value("pulse_checkpoint_age_seconds") < 10);
        Assert.True(after.Value("pulse_disk_free_bytes") > 0);
        Assert.Equal(1, after.Value("pulse_live_clients"));
        Assert.True(after.Value("pulse_live_messages_sent_total") >= 1);
        Assert.True(after.Value("pulse_process_working_set_bytes") > 1 << 20);
        Assert.True(after.Value("pulse_process_gc_heap_bytes") > 0);
        Assert.True(after.Value("pulse_process_threadpool_threads") > 0);
        Assert.True(after.Value("pulse_process_cpu_seconds_total") > 0);
        Assert.DoesNotContain(after.Names, n => !n.StartsWith("pulse_", StringComparison.Ordinal));

        (int exit, string output) = await Promtool.RunAsync(after.Text, "check", "metrics");
        Assert.True(exit == 0 && output.Trim().Length == 0, $"promtool check metrics ({exit}):\n{output}");

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        Scrape closed = await WaitForAsync(http, s => s.Value("pulse_live_clients") == 0);
        Assert.Equal(1, closed.Value("pulse_http_requests_total{method=\"GET\",route=\"/v1/live\",status=\"101\"}"));
        Assert.Equal(0, closed.Value("pulse_http_request_duration_seconds_count{method=\"GET\",route=\"/v1/live\",status=\"101\"}"));
    }

    [Fact]
    public async Task Unmatched_paths_share_one_route_label()
    {
        using var dir = new TempDirectory("pulse-metrics");
        await using PulseProcess server = await PulseProcess.StartAsync(Path.Combine(dir.Path, "data"));
        using HttpClient http = server.CreateClient();
        for (int i = 0; i < 5; i++)
        {
            // Under /v1, so the dashboard's client-route fallback answers 404 rather than the app.
            using HttpResponseMessage missing = await http.GetAsync(new Uri($"/v1/no/such/path/{i}?user=secret", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        Scrape scrape = await Scrape.TakeAsync(http);
        Assert.Equal(5, scrape.Value("pulse_http_requests_total{method=\"GET\",route=\"other\",status=\"404\"}"));
        Assert.DoesNotContain("/no/such", scrape.Text, StringComparison.Ordinal);
    }

    internal static async Task<Scrape> WaitForAsync(HttpClient http, Func<Scrape, bool> condition)
    {
        var watch = Stopwatch.StartNew();
        Scrape scrape = await Scrape.TakeAsync(http);
        while (!condition(scrape))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"metrics did not reach the expected state:\n{scrape.Text}");
            await Task.Delay(50);
            scrape = await Scrape.TakeAsync(http);
        }

        return scrape;
    }
}
