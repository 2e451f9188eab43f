using System.Globalization;
using System.Text;
using Pulse.Events;
using Pulse.Ingest;
using Pulse.Ingest.Segment;

namespace Pulse.Tests.Ingest.Segment;

/// <summary>Each kind of Segment call, batches, times, and every way a body or a call can be wrong.</summary>
public class SegmentTranslatorTests
{
    [Fact]
    public void Other_events_become_custom_types_with_flattened_properties()
    {
        Translated e = SegmentHarness.Single("""
            {"userId":"u-1","event":"Signed Up (beta)!","properties":{"plan":"pro","seats":3,"trial":true,"off":false,
             "address":{"city":"Berlin","geo":{"lat":52.5}},"tags":["a","b"],"gone":null,"caf\u00e9":"ok"}}
            """, SegmentCall.Track);
        Assert.Equal("signed_up_beta", e.Type);
        Assert.Equal(EventKind.Custom, e.Header.Kind);
        Assert.Equal("pro", e.Property("plan").GetString());
        Assert.Equal(3, e.Property("seats").GetInt32());
        Assert.True(e.Property("trial").GetBoolean());
        Assert.False(e.Property("off").GetBoolean());
        Assert.Equal("Berlin", e.Property("address.city").GetString());
        Assert.Equal(52.5, e.Property("address.geo.lat").GetDouble());
        Assert.Equal("ok", e.Property("café").GetString());
        Assert.False(e.HasProperty("tags"));
        Assert.False(e.HasProperty("gone"));
        Assert.False(e.HasProperty("address"));
    }

    [Theory]
    [InlineData("Order Completed", "purchase")]
    [InlineData("  video--played  ", "video_played")]
    [InlineData("Clicked CTA #2", "clicked_cta_2")]
    [InlineData("snake_case_already", "snake_case_already")]
    [InlineData("Ünïcode Name", "n_code_name")]
    public void Event_names_are_normalised_to_pulse_types(string name, string type) =>
        Assert.Equal(type, SegmentHarness.Single($$"""{"userId":"u","event":"{{name}}"}""", SegmentCall.Track).Type);

    [Fact]
    public void Page_calls_take_page_url_and_referrer_from_their_properties_before_the_context()
    {
        Translated e = SegmentHarness.Single("""
            {"anonymousId":"a-1","name":"Pricing","category":"Docs","properties":{"path":"/pricing","url":"https://shop.example/pricing",
             "referrer":"https://r.example/","title":"Pricing - Shop"},"context":{"page":{"path":"/ignored"}}}
            """, SegmentCall.Page);
        Assert.Equal("page_view", e.Type);
        Assert.Equal("/pricing", e[EventField.Page]);
        Assert.Equal("https://shop.example/pricing", e[EventField.Url]);
        Assert.Equal("https://r.example/", e[EventField.Referrer]);
        Assert.Equal("Pricing", e.Property("name").GetString());
        Assert.Equal("Docs", e.Property("category").GetString());
        Assert.Equal("Pricing - Shop", e.Property("title").GetString());
        Assert.False(e.HasProperty("path"));
    }

    [Fact]
    public void Identify_calls_keep_their_traits_as_properties()
    {
        Translated e = SegmentHarness.Single("""
            {"userId":"u-9","traits":{"email":"a@example.com","plan":"pro","address":{"country":"DE"}},"context":{"location":{"country":"FR"}}}
            """, SegmentCall.Identify);
        Assert.Equal("identify", e.Type);
        Assert.Equal("u-9", e[EventField.User]);
        Assert.Equal("a@example.com", e.Property("email").GetString());
        Assert.Equal("DE", e.Property("address.country").GetString());
        Assert.Equal("FR", e[EventField.Country]);
    }

    [Fact]
    public void A_batch_translates_every_kind_of_call()
    {
        using SegmentHarness run = SegmentHarness.Run("""
            {"batch":[
              {"type":"track","userId":"u","event":"Played"},
              {"type":"page","userId":"u","properties":{"path":"/a"}},
              {"type":"screen","userId":"u","name":"Home Screen","category":"app"},
              {"type":"identify","userId":"u","traits":{"plan":"pro"}},
              {"type":"group","userId":"u","groupId":"g-1","traits":{"size":10}},
              {"type":"alias","userId":"u","previousId":"a-old"},
              {"type":"TRACK","userId":"u","event":"Shouted"}
            ],"context":{"device":{"type":"tablet"}},"writeKey":"ignored"}
            """);
        Assert.Empty(run.Errors);
        Assert.Equal(7, run.Batch.Count);
        Translated[] events = [.. Enumerable.Range(0, 7).Select(i => Translated.From(run.Batch, i))];
        Assert.Equal(["played", "page_view", "page_view", "identify", "group", "alias", "shouted"], events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal("tablet", e[EventField.Device]));
        Assert.Equal("/a", events[1][EventField.Page]);
        Assert.Equal("Home Screen", events[2][EventField.Page]);
        Assert.Equal("app", events[2].Property("category").GetString());
        Assert.Equal("pro", events[3].Property("plan").GetString());
        Assert.Equal("g-1", events[4].Property("group_id").GetString());
        Assert.Equal(10, events[4].Property("size").GetInt32());
        Assert.Equal("a-old", events[5].Property("previous_id").GetString());
    }

    [Fact]
    public void A_batch_rejects_bad_calls_by_their_index_and_keeps_the_rest()
    {
        string longId = new('m', 200);
        using SegmentHarness run = SegmentHarness.Run($$"""
            {"batch":[
              {"type":"track","userId":"u","event":"Fine","messageId":"ok-0"},
              {"type":"track","event":"No User"},
              42,
              {"type":"launch","userId":"u"},
              {"type":"track","userId":"u","event":"Long Id","messageId":"{{longId}}"},
              {"type":"page","anonymousId":"a"},
              {"type":"track","userId":"u"},
              {"userId":"u","event":"No Type"},
              {"type":"track","userId":"u","event":"Bad Time","timestamp":"yesterday"},
              {"type":"track","userId":"u","event":"Bad Props","properties":[1]},
              {"type":"track","userId":{"id":1},"event":"Bad User"}
            ]}
            """);
        Assert.Equal(11, run.Translation.TotalSeen);
        Assert.Equal(2, run.Batch.Count);
        Assert.Equal(0, run.Batch.GetIndex(0));
        Assert.Equal(
            [
                (1, "missing required field 'userId' (or 'anonymousId')"),
                (2, "event must be a JSON object"),
                (3, "field 'type' must be one of 'track', 'page', 'screen', 'identify', 'group', 'alias'"),
                (4, "field 'event_id' must be at most 128 bytes"),
                (6, "missing required field 'event'"),
                (7, "missing required field 'type'"),
                (8, "field 'timestamp' must be an ISO 8601 / RFC 3339 date-time string or an integer of epoch milliseconds"),
                (9, "field 'properties' must be an object"),
                (10, "field 'userId' must be a string"),
            ],
            run.Errors.Select(e => (e.Index, e.Error)));
    }

    [Fact]
    public void The_message_id_is_the_event_id_and_an_absent_one_is_generated()
    {
        using SegmentHarness run = SegmentHarness.Run("""
            {"batch":[{"type":"track","userId":"u","event":"A","messageId":"same"},{"type":"track","userId":"u","event":"B","messageId":"same"},
                      {"type":"track","userId":"u","event":"C"}]}
            """);
        Assert.Equal(3, run.Batch.Count);
        Assert.Equal(Hash64.Compute("same"u8), run.Batch.GetHeader(0).EventIdHash);
        Assert.Equal(run.Batch.GetHeader(0).EventIdHash, run.Batch.GetHeader(1).EventIdHash);
        Assert.True((run.Batch.GetHeader(2).Flags & EventFlags.GeneratedEventId) != 0);
    }

    [Fact]
    public void Numeric_ids_become_strings()
    {
        Translated e = SegmentHarness.Single("""{"userId":42,"anonymousId":"","messageId":7,"event":"Product Added","properties":{"product_id":99}}""", SegmentCall.Track);
        Assert.Equal("42", e[EventField.User]);
        Assert.Equal("7", e[EventField.EventId]);
        Assert.Equal("99", e[EventField.ProductId]);
    }

    [Fact]
    public void An_empty_user_id_falls_back_to_the_anonymous_id()
    {
        Translated e = SegmentHarness.Single("""{"userId":"","anonymousId":"anon-1","event":"X"}""", SegmentCall.Track);
        Assert.Equal("anon-1", e[EventField.User]);
        Assert.True((e.Header.Flags & EventFlags.AnonymousUser) != 0);
    }

    [Fact]
    public void Timestamp_wins_and_original_timestamp_is_corrected_by_the_skew_of_sent_at()
    {
        static string Iso(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        const long arrival = SegmentHarness.Arrival;
        // The device's clock is a minute ahead: it sent the batch at "arrival + 60 s", five seconds after the call.
        long deviceSent = arrival + 60_000;
        using SegmentHarness run = SegmentHarness.Run($$"""
            {"sentAt":"{{Iso(deviceSent)}}","batch":[
              {"type":"track","userId":"u","event":"A","originalTimestamp":"{{Iso(deviceSent - 5_000)}}"},
              {"type":"track","userId":"u","event":"B","originalTimestamp":"{{Iso(deviceSent - 5_000)}}","sentAt":"{{Iso(deviceSent - 1_000)}}"},
              {"type":"track","userId":"u","event":"C","originalTimestamp":"{{Iso(deviceSent)}}","timestamp":"{{Iso(arrival - 30_000)}}"},
              {"type":"track","userId":"u","event":"D","timestamp":{{arrival - 7_000}}},
              {"type":"track","userId":"u","event":"E"}
            ]}
            """);
        Assert.Empty(run.Errors);
        Assert.Equal(arrival - 5_000, run.Batch.GetHeader(0).EventTimeMs);
        Assert.Equal(arrival - 4_000, run.Batch.GetHeader(1).EventTimeMs);
        Assert.Equal(arrival - 30_000, run.Batch.GetHeader(2).EventTimeMs);
        Assert.Equal(arrival - 7_000, run.Batch.GetHeader(3).EventTimeMs);
        Assert.Equal(arrival, run.Batch.GetHeader(4).EventTimeMs);
    }

    [Fact]
    public void Pulse_limits_apply_to_translated_events()
    {
        string many = "{" + string.Join(",", Enumerable.Range(0, 70).Select(i => $"\"k{i}\":{i}")) + "}";
        string deep = "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":1}}}}}}}}";
        using SegmentHarness run = SegmentHarness.Run($$$"""
            {"batch":[
              {"type":"track","userId":"u","event":"Many","properties":{{{many}}}},
              {"type":"track","userId":"u","event":"Deep","properties":{{{deep}}}},
              {"type":"track","userId":"u","event":"Future","timestamp":"2023-11-16T22:13:20Z"}
            ]}
            """);
        Assert.Equal(
            [
                (0, "field 'properties' has more than 64 entries"),
                (1, "JSON nesting deeper than 8 levels"),
                (2, "field 'timestamp' is more than 1d in the future"),
            ],
            run.Errors.Select(e => (e.Index, e.Error)));
    }

    [Fact]
    public void Too_many_calls_void_the_body()
    {
        var limits = new IngestLimits(3, 8, 64, TimeSpan.FromDays(1), TimeSpan.FromDays(3650));
        string calls = string.Join(",", Enumerable.Repeat("""{"type":"track","userId":"u","event":"E"}""", 4));
        using SegmentHarness run = SegmentHarness.Run($$"""{"batch":[{{calls}}]}""", SegmentCall.Batch, limits);
        Assert.Equal("too many events: at most 3 per request", run.Translation.BodyError);
        Assert.Equal(0, run.Translation.Count);
    }

    [Theory]
    [InlineData("", SegmentCall.Track, "no events")]
    [InlineData("  \n", SegmentCall.Batch, "no events")]
    [InlineData("[]", SegmentCall.Track, "body must be a JSON object (one Segment call)")]
    [InlineData("[{\"type\":\"track\"}]", SegmentCall.Batch, "body must be a JSON object with a 'batch' array of Segment calls")]
    [InlineData("{\"batch\":{}}", SegmentCall.Batch, "body must be a JSON object with a 'batch' array of Segment calls")]
    [InlineData("{\"batch\":[]}", SegmentCall.Batch, "no events")]
    [InlineData("{\"userId\":\"u\",\"event\":\"E\"", SegmentCall.Track, "malformed JSON at byte")]
    [InlineData("{\"userId\":\"u\",\"event\":\"E\"} {}", SegmentCall.Track, "malformed JSON at byte")]
    public void Unusable_bodies_are_body_errors(string body, SegmentCall call, string expected)
    {
        using SegmentHarness run = SegmentHarness.Run(body, call);
        Assert.StartsWith(expected, run.Translation.BodyError, StringComparison.Ordinal);
        Assert.Equal(0, run.Translation.Count);
    }

    [Fact]
    public void Invalid_utf8_rejects_only_the_call_that_holds_it()
    {
        byte[] body = Encoding.UTF8.GetBytes("""
            {"batch":[{"type":"track","userId":"u","event":"A","properties":{"k?":1}},{"type":"track","userId":"u?","event":"B"},{"type":"track","userId":"u","event":"C"}]}
            """);
        int first = Array.IndexOf(body, (byte)'?');
        int second = Array.IndexOf(body, (byte)'?', first + 1);
        body[first] = 0xFF;
        body[second] = 0xC0;
        using var translation = new SegmentTranslation();
        using var batch = new EventBatch();
        SegmentTranslator.Translate(body, SegmentCall.Batch, SegmentHarness.Arrival, IngestLimits.Default, translation);
        EventParser.Parse(translation.Ndjson, BodyFormat.Ndjson, SegmentHarness.Arrival, IngestLimits.Default, batch);
        Assert.Equal(
            [(0, "field 'properties' has a key that is not valid UTF-8"), (1, "field 'user_id' is not valid UTF-8")],
            translation.MergeErrors(batch.Errors).Select(e => (e.Index, e.Error)));
        Assert.Equal(1, batch.Count);
        Assert.Equal(2, translation.SourceOf(batch.GetIndex(0)));
    }
}
