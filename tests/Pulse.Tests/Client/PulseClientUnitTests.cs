using System.Text.Json;
using Pulse.Client;
using Pulse.Client.Internal;

namespace Pulse.Tests.Client;

/// <summary>The client's pieces that need no server: ids, backoff, the answer parser, option checks.</summary>
public sealed class PulseClientUnitTests
{
    [Fact]
    public void An_event_id_is_made_once_per_event_and_is_unique()
    {
        var a = new PulseEvent("click") { UserId = "u" };
        var b = new PulseEvent("click") { UserId = "u" };
        Assert.Equal(a.EventId, a.EventId);
        Assert.NotEqual(a.EventId, b.EventId);
        Assert.InRange(a.EventId.Length, 1, 128);
        Assert.Equal("mine-1", new PulseEvent("click") { EventId = "mine-1" }.EventId);
    }

    [Fact]
    public void Backoff_is_full_jitter_under_a_doubling_bound_and_honours_retry_after_up_to_the_cap()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), new Random(7));
        var seen = new List<TimeSpan>();
        for (int attempt = 1; attempt <= 6; attempt++)
        {
            TimeSpan bound = TimeSpan.FromMilliseconds(Math.Min(1000, 100 * Math.Pow(2, attempt - 1)));
            for (int i = 0; i < 50; i++)
            {
                TimeSpan delay = backoff.Delay(attempt, null);
                Assert.InRange(delay, TimeSpan.Zero, bound);
                seen.Add(delay);
            }
        }

        Assert.True(seen.Distinct().Count() > 250, "delays are jittered, not fixed");
        Assert.Equal(TimeSpan.FromSeconds(0.5), backoff.Delay(1, TimeSpan.FromSeconds(0.5)));
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Delay(1, TimeSpan.FromSeconds(120)));
        Assert.Equal(TimeSpan.Zero, backoff.Delay(1, TimeSpan.FromSeconds(-3)));
    }

    [Fact]
    public void The_answer_parser_reads_the_contracts_counts_and_errors()
    {
        IngestAnswer answer = IngestAnswer.Parse("""
            {"accepted":998,"duplicates":3,"rejected":2,"errors":[{"index":17,"error":"type is required"},{"index":40,"error":"bad price"}],"extra":{"a":[1]}}
            """u8);
        Assert.Equal((998, 3, 2), (answer.Accepted, answer.Duplicates, answer.Rejected));
        Assert.Equal([(17, "type is required"), (40, "bad price")], answer.Errors);
        Assert.Equal(0, IngestAnswer.Parse("<html>bad gateway</html>"u8).Accepted);
    }

    [Fact]
    public void Property_values_serialise_as_their_json_kind()
    {
        var e = new PulseEvent("signup") { AnonymousId = "anon", Quantity = 1 };
        e.Properties["s"] = "x";
        e.Properties["i"] = 42L;
        e.Properties["d"] = 1.5;
        e.Properties["m"] = 0.1m;
        e.Properties["b"] = false;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            BatchPayloadWriter.WriteEvent(writer, e);
        }

        using JsonDocument doc = JsonDocument.Parse(buffer.ToArray());
        Assert.Equal("""{"s":"x","i":42,"d":1.5,"m":0.1,"b":false}""", doc.RootElement.GetProperty("properties").GetRawText());
        Assert.Equal("anon", doc.RootElement.GetProperty("anonymous_id").GetString());
        Assert.False(doc.RootElement.TryGetProperty("user_id", out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => PulsePropertyValue.FromDouble(double.NaN));
    }

    [Fact]
    public async Task Tracking_checks_for_a_user_and_options_are_checked_up_front()
    {
        await using var client = new PulseClient(new PulseClientOptions { Endpoint = new Uri("http://127.0.0.1:9") });
        Assert.Throws<ArgumentException>(() => client.TryTrack(new PulseEvent("click")));
        ArgumentException error = Assert.Throws<ArgumentException>(() => new PulseClient(new PulseClientOptions { Endpoint = new Uri("ftp://x"), QueueCapacity = 0 }));
        Assert.Contains("PulseClient:Endpoint", error.Message, StringComparison.Ordinal);
        Assert.Contains("PulseClient:QueueCapacity", error.Message, StringComparison.Ordinal);
    }
}
