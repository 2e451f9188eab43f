using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using static Pulse.Tests.Processing.TestEvents;

namespace Pulse.Tests.EndToEnd;

/// <summary>
/// <c>pulse replay</c> on a real data directory: damaged rollups are recomputed from the log and
/// replaced (never added to), twice gives the same answers, and a running server's directory is refused.
/// </summary>
public sealed class ReplayTests
{
    private const long Hour = 3_600_000;

    [Fact]
    public async Task Replay_recomputes_damaged_rollups_from_the_log_exactly_and_refuses_a_directory_in_use()
    {
        using var dir = new TempDirectory("pulse-replay");
        string data = Path.Combine(dir.Path, "data");
        long from = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / Hour * Hour) - (3 * Hour);
        var random = new Random(4);
        var events = new List<(string Type, long Time)>();
        for (int i = 0; i < 3000; i++)
        {
            events.Add((random.NextDouble() < 0.2 ? "purchase" : "page_view", from + random.NextInt64(Hour)));
        }

        string[] settings = ["--Pulse:Log:Partitions=2"];
        await using (PulseProcess server = await PulseProcess.StartAsync(data, null, settings))
        {
            var client = new MetricsClient(server.CreateClient());
            using HttpResponseMessage defined = await client.Http.PutAsync(new Uri("/v1/definitions/orders_per_minute", UriKind.Relative),
                new StringContent("""{"kind": "metric", "filter": {"type": "purchase"}, "aggregate": "count"}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, defined.StatusCode);
            string body = string.Join('\n', events.Select((e, i) => Event(e.Type, e.Time, $"u{i % 97}", page: "/", revenue: e.Type == "purchase" ? 2m : null)));
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostNdjsonAsync(body)).Status);
            await WaitForTotalAsync(client, from, events.Count);

            (int code, string output) = await ReplayAsync(data, from, from + Hour);
            Assert.Equal(1, code);
            Assert.Contains("in use by another Pulse process", output, StringComparison.Ordinal);
            await server.StopAsync();
        }

        Damage(Path.Combine(data, "store.db"));
        (int funnelCode, string funnelOutput) = await ReplayAsync(data, from, from + Hour, "--definition", "checkout");
        Assert.Equal(1, funnelCode);
        Assert.Contains("only metrics", funnelOutput, StringComparison.Ordinal);
        for (int run = 0; run < 2; run++)
        {
            (int code, string output) = await ReplayAsync(data, from, from + Hour, "--json");
            Assert.True(code == 0, output);
            using JsonDocument result = JsonDocument.Parse(output.Split('\n').First(l => l.StartsWith('{')));
            Assert.Equal(events.Count, result.RootElement.GetProperty("events_replayed").GetInt64());
        }

        await using (PulseProcess again = await PulseProcess.StartAsync(data, null, settings))
        {
            var client = new MetricsClient(again.CreateClient());
            foreach (string step in new[] { "1m", "1h" })
            {
                JsonElement result = await client.GetJsonAsync($"/v1/metrics/events?from={from}&to={from + Hour}&step={step}&group_by=type");
                var totals = result.GetProperty("series").EnumerateArray().ToDictionary(s => s.GetProperty("group").GetProperty("type").GetString()!, s => s.GetProperty("total").GetDecimal());
                Assert.Equal(events.Count(e => e.Type == "purchase"), (int)totals["purchase"]);
                Assert.Equal(events.Count(e => e.Type == "page_view"), (int)totals["page_view"]);
            }

            JsonElement revenue = await client.GetJsonAsync($"/v1/metrics/revenue?from={from}&to={from + Hour}&step=1m");
            Assert.Equal(2m * events.Count(e => e.Type == "purchase"), revenue.GetProperty("series")[0].GetProperty("total").GetDecimal());
            JsonElement orders = await client.GetJsonAsync($"/v1/metrics/orders_per_minute?from={from}&to={from + Hour}&step=1m");
            Assert.Equal(events.Count(e => e.Type == "purchase"), (int)orders.GetProperty("series")[0].GetProperty("total").GetDecimal());
        }
    }

    private static async Task WaitForTotalAsync(MetricsClient client, long from, int expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        decimal total = 0;
        while (DateTime.UtcNow < deadline)
        {
            total = (await client.GetJsonAsync($"/v1/metrics/events?from={from}&to={from + Hour}")).GetProperty("series")[0].GetProperty("total").GetDecimal();
            if (total == expected)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"events total {total}, expected {expected}");
    }

    /// <summary>Inflates every minute count and drops every hour row: what replay has to put right.</summary>
    private static void Damage(string store)
    {
        using var connection = new SqliteConnection($"Data Source={store};Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "UPDATE counts SET count = count + 1000 WHERE res = 1; DELETE FROM counts WHERE res = 2; UPDATE metric_cells SET count = count + 500;";
        Assert.True(command.ExecuteNonQuery() > 0);
    }

    private static async Task<(int Code, string Output)> ReplayAsync(string data, long from, long to, params string[] extra)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in (string[])[RepoPaths.PulseDll, "replay", "--data", data, "--from", from.ToString(CultureInfo.InvariantCulture), "--to", to.ToString(CultureInfo.InvariantCulture), .. extra])
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
