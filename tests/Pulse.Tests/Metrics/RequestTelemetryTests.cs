using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pulse.Metrics;
using Pulse.Tests.EndToEnd;

namespace Pulse.Tests.Metrics;

/// <summary>Request logging: successes sampled, every failure kept, nothing private in the lines.</summary>
public sealed class RequestTelemetryTests
{
    /// <summary>Keeps what the middleware logs, as a log sink would.</summary>
    private sealed class CollectingLogger : ILogger<RequestTelemetry>
    {
        public List<(LogLevel Level, EventId Id, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Entries)
            {
                Entries.Add((logLevel, eventId, formatter(state, exception)));
            }
        }
    }

    private static async Task<CollectingLogger> RunAsync(int sampleRate, IEnumerable<int> statuses)
    {
        var logger = new CollectingLogger();
        var middleware = new RequestTelemetry(context =>
        {
            context.Response.StatusCode = (int)context.Items["status"]!;
            return Task.CompletedTask;
        }, logger, Options.Create(new RequestLogOptions { SuccessSampleRate = sampleRate }));
        foreach (int status in statuses)
        {
            var context = new DefaultHttpContext();
            context.Request.Method = "POST";
            context.Request.Path = "/v1/events";
            context.Request.QueryString = new QueryString("?user_id=private-user");
            context.Request.Headers.Authorization = "Bearer private-key";
            context.Items["status"] = status;
            await middleware.InvokeAsync(context);
        }

        return logger;
    }

    [Fact]
    public async Task One_in_n_successes_is_logged()
    {
        CollectingLogger logger = await RunAsync(5, Enumerable.Repeat(202, 20));
        Assert.Equal(4, logger.Entries.Count);
        Assert.All(logger.Entries, e => Assert.Equal(1001, e.Id.Id));
        Assert.All(logger.Entries, e => Assert.Equal(LogLevel.Information, e.Level));
    }

    [Fact]
    public async Task Every_failure_is_logged_server_errors_as_warnings()
    {
        CollectingLogger logger = await RunAsync(1000, [200, 400, 404, 413, 500, 503, 200]);
        Assert.Equal([1002, 1002, 1002, 1003, 1003], logger.Entries.Select(e => e.Id.Id));
        Assert.Equal(LogLevel.Warning, logger.Entries[^1].Level);
        Assert.Contains("POST other -> 503", logger.Entries[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sampling_zero_logs_no_success()
    {
        CollectingLogger logger = await RunAsync(0, Enumerable.Repeat(200, 50));
        Assert.Empty(logger.Entries);
    }

    [Fact]
    public async Task Lines_carry_no_path_query_key_or_user()
    {
        CollectingLogger logger = await RunAsync(1, [200, 400, 500]);
        Assert.Equal(3, logger.Entries.Count);
        Assert.All(logger.Entries, e =>
        {
            Assert.DoesNotContain("private", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("Bearer", e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    [Trait("Category", "EndToEnd")]
    public async Task A_real_server_logs_json_lines_without_keys_or_user_ids()
    {
        using var dir = new TempDirectory("pulse-logs");
        await using PulseProcess server = await PulseProcess.StartAsync(Path.Combine(dir.Path, "data"));
        using HttpClient http = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/events?user_id=user-secret-42", UriKind.Relative))
        {
            Content = new StringContent("""{"type":"BAD TYPE","user_id":"user-secret-42"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "key-secret-123");
        using HttpResponseMessage response = await http.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);

        JsonElement logged = default;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (logged.ValueKind == JsonValueKind.Undefined && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
            foreach (string line in server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                // stdout is not a terminal here: every log line is one JSON object.
                using JsonDocument doc = JsonDocument.Parse(line);
                if (doc.RootElement.GetProperty("EventId").GetInt32() == 1002)
                {
                    logged = doc.RootElement.Clone();
                }
            }
        }

        Assert.Equal(JsonValueKind.Object, logged.ValueKind);
        Assert.Equal("Pulse.Metrics.RequestTelemetry", logged.GetProperty("Category").GetString());
        Assert.Equal("/v1/events", logged.GetProperty("State").GetProperty("Route").GetString());
        Assert.Equal(400, logged.GetProperty("State").GetProperty("Status").GetInt32());
        Assert.True(logged.TryGetProperty("Timestamp", out _));
        Assert.DoesNotContain("key-secret-123", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("user-secret-42", server.Output, StringComparison.Ordinal);
    }
}
