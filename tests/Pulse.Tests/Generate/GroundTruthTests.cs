using System.Text.Json;
using Pulse.Generate;

namespace Pulse.Tests.Generate;

public class GroundTruthTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    public void Summary_truth_equals_an_independent_recount(double duplicateShare)
    {
        GeneratorSettings settings = GeneratorRun.Settings(seed: 21, count: 50_000);
        settings.DuplicateShare = duplicateShare;
        settings.BatchSize = 500;
        (byte[] bytes, GenerateSummary summary) = GeneratorRun.Write(settings);

        var seen = new HashSet<string>();
        var users = new HashSet<string>();
        var byType = new Dictionary<string, long>();
        long lines = 0, events = 0, pageViews = 0, orders = 0;
        decimal revenue = 0;
        long min = long.MaxValue, max = long.MinValue;
        foreach (JsonDocument doc in GeneratorRun.ParseLines(bytes))
        {
            lines++;
            JsonElement e = doc.RootElement;
            if (!seen.Add(e.GetProperty("event_id").GetString()!))
            {
                continue; // a duplicate re-send: the truth counts it once, like the server's dedupe
            }

            events++;
            string type = e.GetProperty("type").GetString()!;
            byType[type] = byType.GetValueOrDefault(type) + 1;
            users.Add(e.TryGetProperty("user_id", out JsonElement u) ? u.GetString()! : e.GetProperty("anonymous_id").GetString()!);
            pageViews += type == "page_view" ? 1 : 0;
            if (type == "purchase")
            {
                orders++;
                revenue += e.GetProperty("revenue").GetDecimal();
            }

            long ts = GeneratorRun.TimestampMs(e);
            min = Math.Min(min, ts);
            max = Math.Max(max, ts);
        }

        TruthTotals truth = summary.Truth;
        Assert.Equal(50_000, events);
        Assert.Equal(lines, summary.Sent);
        Assert.Equal(duplicateShare > 0, lines > events);
        Assert.Equal(events, truth.Events);
        Assert.Equal(pageViews, truth.PageViews);
        Assert.Equal(orders, truth.Orders);
        Assert.Equal(revenue, truth.Revenue);
        Assert.Equal(users.Count, truth.UniqueUsers);
        Assert.Equal(min, truth.MinEventTimeMs);
        Assert.Equal(max, truth.MaxEventTimeMs);
        foreach ((string type, long count) in truth.ByType)
        {
            Assert.Equal(byType.GetValueOrDefault(type), count);
        }

        Assert.Equal(byType.Count, truth.ByType.Count);
    }

    [Fact]
    public void Json_summary_has_the_contract_shape()
    {
        (_, GenerateSummary summary) = GeneratorRun.Write(GeneratorRun.Settings(seed: 2, count: 3_000));
        using var output = new MemoryStream();
        SummaryWriter.WriteJson(summary, output);
        using JsonDocument doc = JsonDocument.Parse(output.ToArray());
        JsonElement root = doc.RootElement;

        foreach (string name in new[] { "sent", "accepted", "duplicates", "rejected", "retries", "failed_batches", "elapsed_ms", "events_per_second" })
        {
            Assert.Equal(JsonValueKind.Number, root.GetProperty(name).ValueKind);
        }

        Assert.Equal(3_000, root.GetProperty("sent").GetInt64());
        Assert.True(root.GetProperty("ack_latency_ms").TryGetProperty("p50", out _));
        Assert.True(root.GetProperty("ack_latency_ms").TryGetProperty("p99", out _));
        JsonElement truth = root.GetProperty("truth");
        Assert.Equal(3_000, truth.GetProperty("events").GetInt64());
        Assert.Equal(summary.Truth.Revenue, truth.GetProperty("revenue").GetDecimal());
        Assert.Equal(summary.Truth.ByType["page_view"], truth.GetProperty("by_type").GetProperty("page_view").GetInt64());
        foreach (string name in new[] { "page_views", "unique_users", "orders", "min_event_time", "max_event_time" })
        {
            Assert.Equal(JsonValueKind.Number, truth.GetProperty(name).ValueKind);
        }
    }
}
