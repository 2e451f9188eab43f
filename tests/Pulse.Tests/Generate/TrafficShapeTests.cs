using System.Text.Json;
using Pulse.Generate;

namespace Pulse.Tests.Generate;

public class TrafficShapeTests
{
    [Fact]
    public void Product_popularity_is_zipf_skewed()
    {
        (byte[] bytes, _) = GeneratorRun.Write(GeneratorRun.Settings(seed: 6, count: 100_000));
        var views = new Dictionary<string, int>();
        foreach (JsonDocument doc in GeneratorRun.ParseLines(bytes))
        {
            JsonElement e = doc.RootElement;
            if (e.GetProperty("type").GetString() == "page_view" && e.TryGetProperty("product_id", out JsonElement product))
            {
                views[product.GetString()!] = views.GetValueOrDefault(product.GetString()!) + 1;
            }
        }

        int[] counts = new int[500];
        int i = 0;
        foreach (int c in views.Values)
        {
            counts[i++] = c; // products never viewed stay 0: they are part of the median
        }

        Array.Sort(counts);
        int top = counts[^1];
        int median = counts[counts.Length / 2];
        Assert.True(top > 20 * Math.Max(median, 1), $"top {top}, median {median}");
        // Zipf(1.1) over 500 products gives the top product roughly a sixth of the views.
        double topShare = (double)top / counts.Sum();
        Assert.InRange(topShare, 0.10, 0.30);
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.0)]
    public void Late_share_is_approximately_as_requested(double lateShare)
    {
        GeneratorSettings settings = GeneratorRun.Settings(seed: 13, count: 40_000);
        settings.LateShare = lateShare;
        settings.Rate = null;
        settings.TimeRate = 1_000;
        (byte[] bytes, _) = GeneratorRun.Write(settings);

        int late = 0, total = 0;
        foreach (JsonDocument doc in GeneratorRun.ParseLines(bytes))
        {
            JsonElement e = doc.RootElement;
            string id = e.GetProperty("event_id").GetString()!;
            long sequence = long.Parse(id[(id.IndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            long nominal = GeneratorRun.Start + sequence; // 1,000 events per second of event time
            long offset = nominal - GeneratorRun.TimestampMs(e);
            Assert.True(offset >= 0, "no event is stamped after its nominal time");
            if (offset >= 60_000)
            {
                Assert.True(offset <= 600_000 + settings.DisorderMs);
                late++;
            }
            else
            {
                Assert.True(offset <= settings.DisorderMs, $"jitter {offset} ms exceeds --disorder-ms");
            }

            total++;
        }

        double share = (double)late / total;
        Assert.InRange(share, lateShare * 0.85, (lateShare * 1.15) + 1e-9);
    }

    [Fact]
    public void Event_times_advance_with_the_rate()
    {
        GeneratorSettings settings = GeneratorRun.Settings(seed: 1, count: 10_000);
        settings.LateShare = 0;
        settings.DisorderMs = 0;
        settings.TimeRate = 500;
        (_, GenerateSummary summary) = GeneratorRun.Write(settings);

        Assert.Equal(GeneratorRun.Start, summary.Truth.MinEventTimeMs);
        Assert.Equal(GeneratorRun.Start + (9_999 * 2), summary.Truth.MaxEventTimeMs);
    }

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("250ms", 250)]
    [InlineData("2", 2_000)]
    public void Durations_parse(string text, long expectedMs)
    {
        Assert.True(TimeArguments.TryParseDuration(text, out TimeSpan duration));
        Assert.Equal(expectedMs, (long)duration.TotalMilliseconds);
    }

    [Theory]
    [InlineData("2026-11-22T10:00:00Z", GeneratorRun.Start)]
    [InlineData("2026-11-22T11:00:00+01:00", GeneratorRun.Start)]
    [InlineData("1795341600000", GeneratorRun.Start)]
    public void Start_times_parse(string text, long expectedMs)
    {
        Assert.True(TimeArguments.TryParseInstant(text, out long ms));
        Assert.Equal(expectedMs, ms);
    }

    [Fact]
    public void Invalid_times_are_refused()
    {
        Assert.False(TimeArguments.TryParseDuration("soon", out _));
        Assert.False(TimeArguments.TryParseInstant("yesterday", out _));
    }
}
