using System.Text;
using Pulse.Events;
using Pulse.Ingest;

namespace Pulse.Tests.Ingest;

public class EventParserValidationTests
{
    private const string Base = "\"type\":\"click\",\"user_id\":\"u\"";

    [Theory]
    // required fields
    [InlineData("{\"user_id\":\"u\"}", "missing required field 'type'")]
    [InlineData("{\"type\":null,\"user_id\":\"u\"}", "missing required field 'type'")]
    [InlineData("{\"type\":\"click\"}", "missing required field 'user_id' (or 'anonymous_id')")]
    [InlineData("{\"type\":\"click\",\"user_id\":null,\"anonymous_id\":null}", "missing required field 'user_id' (or 'anonymous_id')")]
    // type
    [InlineData("{\"type\":\"\",\"user_id\":\"u\"}", "field 'type' must not be empty")]
    [InlineData("{\"type\":\"Click\",\"user_id\":\"u\"}", "field 'type' must match [a-z0-9_]{1,64}")]
    [InlineData("{\"type\":\"page-view\",\"user_id\":\"u\"}", "field 'type' must match [a-z0-9_]{1,64}")]
    [InlineData("{\"type\":\"caf\\u00e9\",\"user_id\":\"u\"}", "field 'type' must match [a-z0-9_]{1,64}")]
    [InlineData("{\"type\":1,\"user_id\":\"u\"}", "field 'type' must be a string")]
    // users and ids
    [InlineData("{\"type\":\"click\",\"user_id\":\"\"}", "field 'user_id' must not be empty")]
    [InlineData("{\"type\":\"click\",\"user_id\":7}", "field 'user_id' must be a string")]
    [InlineData("{\"type\":\"click\",\"anonymous_id\":[\"a\"]}", "field 'anonymous_id' must be a string")]
    [InlineData("{\"type\":\"click\",\"user_id\":\"u\",\"event_id\":\"\"}", "field 'event_id' must not be empty")]
    [InlineData("{\"type\":\"click\",\"user_id\":\"u\",\"event_id\":5}", "field 'event_id' must be a string")]
    // other strings: wrong type
    [InlineData("{" + Base + ",\"session_id\":true}", "field 'session_id' must be a string")]
    [InlineData("{" + Base + ",\"page\":{\"a\":1}}", "field 'page' must be a string")]
    [InlineData("{" + Base + ",\"url\":1}", "field 'url' must be a string")]
    [InlineData("{" + Base + ",\"referrer\":false}", "field 'referrer' must be a string")]
    [InlineData("{" + Base + ",\"product_id\":42}", "field 'product_id' must be a string")]
    [InlineData("{" + Base + ",\"order_id\":42}", "field 'order_id' must be a string")]
    [InlineData("{" + Base + ",\"country\":[]}", "field 'country' must be a string")]
    [InlineData("{" + Base + ",\"device\":{}}", "field 'device' must be a string")]
    // currency
    [InlineData("{" + Base + ",\"currency\":\"usd\"}", "field 'currency' must be a 3-letter uppercase ISO 4217 code, e.g. 'USD'")]
    [InlineData("{" + Base + ",\"currency\":\"EURO\"}", "field 'currency' must be a 3-letter uppercase ISO 4217 code, e.g. 'USD'")]
    [InlineData("{" + Base + ",\"currency\":\"E1R\"}", "field 'currency' must be a 3-letter uppercase ISO 4217 code, e.g. 'USD'")]
    [InlineData("{" + Base + ",\"currency\":\"\"}", "field 'currency' must be a 3-letter uppercase ISO 4217 code, e.g. 'USD'")]
    [InlineData("{" + Base + ",\"currency\":978}", "field 'currency' must be a string")]
    // money and quantity
    [InlineData("{" + Base + ",\"price\":-0.01}", "field 'price' must be a number >= 0")]
    [InlineData("{" + Base + ",\"price\":\"9.99\"}", "field 'price' must be a number >= 0")]
    [InlineData("{" + Base + ",\"price\":1000000000000.000001}", "field 'price' must be at most 1000000000000")]
    [InlineData("{" + Base + ",\"price\":1e40}", "field 'price' must be at most 1000000000000")]
    [InlineData("{" + Base + ",\"price\":-1e40}", "field 'price' must be a number >= 0")]
    [InlineData("{" + Base + ",\"revenue\":-5}", "field 'revenue' must be a number >= 0")]
    [InlineData("{" + Base + ",\"revenue\":true}", "field 'revenue' must be a number >= 0")]
    [InlineData("{" + Base + ",\"revenue\":2e12}", "field 'revenue' must be at most 1000000000000")]
    [InlineData("{" + Base + ",\"quantity\":0}", "field 'quantity' must be an integer >= 1")]
    [InlineData("{" + Base + ",\"quantity\":-2}", "field 'quantity' must be an integer >= 1")]
    [InlineData("{" + Base + ",\"quantity\":1.5}", "field 'quantity' must be an integer >= 1")]
    [InlineData("{" + Base + ",\"quantity\":\"2\"}", "field 'quantity' must be an integer >= 1")]
    [InlineData("{" + Base + ",\"quantity\":99999999999}", "field 'quantity' must be an integer >= 1")]
    [InlineData("{\"type\":\"purchase\",\"user_id\":\"u\",\"price\":1000000000000,\"quantity\":2}", "fields 'price' x 'quantity' make a revenue above 1000000000000")]
    // timestamps
    [InlineData("{" + Base + ",\"timestamp\":\"yesterday\"}", "field 'timestamp' must be an RFC 3339 date-time string or an integer of epoch milliseconds")]
    [InlineData("{" + Base + ",\"timestamp\":\"2023-11-14\"}", "field 'timestamp' must be an RFC 3339 date-time string or an integer of epoch milliseconds")]
    [InlineData("{" + Base + ",\"timestamp\":\"2023-11-14T22:13:20\"}", "field 'timestamp' must be an RFC 3339 date-time string or an integer of epoch milliseconds")]
    [InlineData("{" + Base + ",\"timestamp\":\"2023-02-29T00:00:00Z\"}", "field 'timestamp' must be an RFC 3339 date-time string or an integer of epoch milliseconds")]
    [InlineData("{" + Base + ",\"timestamp\":\"2023-11-14T24:00:00Z\"}", "field 'timestamp' must be an RFC 3339 date-time string or an integer of epoch milliseconds")]
    [InlineData("{" + Base + ",\"timestamp\":1700000000000.5}", "field 'timestamp' must be an RFC 3339 date-time string or an integer of epoch milliseconds")]
    [InlineData("{" + Base + ",\"timestamp\":true}", "field 'timestamp' must be an RFC 3339 date-time string or an integer of epoch milliseconds")]
    [InlineData("{" + Base + ",\"timestamp\":-1}", "field 'timestamp' must not be before 1970-01-01T00:00:00Z")]
    [InlineData("{" + Base + ",\"timestamp\":1700086400001}", "field 'timestamp' is more than 1d in the future")]
    [InlineData("{" + Base + ",\"timestamp\":\"2023-11-15T22:13:20.001Z\"}", "field 'timestamp' is more than 1d in the future")]
    [InlineData("{" + Base + ",\"timestamp\":0}", "field 'timestamp' is more than 3650d in the past")]
    // duplicates
    [InlineData("{\"type\":\"click\",\"type\":\"click\",\"user_id\":\"u\"}", "duplicate field 'type'")]
    [InlineData("{" + Base + ",\"price\":1,\"price\":2}", "duplicate field 'price'")]
    [InlineData("{" + Base + ",\"page\":null,\"page\":\"/\"}", "duplicate field 'page'")]
    [InlineData("{" + Base + ",\"us\\u0065r_id\":\"v\"}", "duplicate field 'user_id'")]
    // properties
    [InlineData("{" + Base + ",\"properties\":[1]}", "field 'properties' must be an object")]
    [InlineData("{" + Base + ",\"properties\":\"a\"}", "field 'properties' must be an object")]
    [InlineData("{" + Base + ",\"properties\":{\"a\":null}}", "field 'properties' values must be strings, numbers or booleans (no objects, arrays or null)")]
    [InlineData("{" + Base + ",\"properties\":{\"a\":{\"b\":1}}}", "field 'properties' values must be strings, numbers or booleans (no objects, arrays or null)")]
    [InlineData("{" + Base + ",\"properties\":{\"a\":[1,2]}}", "field 'properties' values must be strings, numbers or booleans (no objects, arrays or null)")]
    public void RejectsWithMessage(string json, string expected) => Assert.Equal(expected, ParserHarness.RejectionOf(json));

    [Theory]
    [InlineData("event_id", 128)]
    [InlineData("user_id", 256)]
    [InlineData("anonymous_id", 256)]
    [InlineData("session_id", 256)]
    [InlineData("page", 2048)]
    [InlineData("url", 2048)]
    [InlineData("referrer", 2048)]
    [InlineData("product_id", 256)]
    [InlineData("order_id", 256)]
    [InlineData("country", 64)]
    [InlineData("device", 64)]
    [InlineData("type", 64)]
    public void StringLimitsAreInUtf8Bytes(string field, int maxBytes)
    {
        string Event(string value) => field switch
        {
            "type" => $"{{\"type\":\"{value}\",\"user_id\":\"u\"}}",
            "user_id" or "anonymous_id" => $"{{\"type\":\"click\",\"{field}\":\"{value}\"}}",
            _ => $"{{{Base},\"{field}\":\"{value}\"}}",
        };

        using (EventBatch ok = ParserHarness.Parse(Event(new string('a', maxBytes))))
        {
            Assert.Equal(1, ok.Count);
        }

        Assert.Equal($"field '{field}' must be at most {maxBytes} bytes", ParserHarness.RejectionOf(Event(new string('a', maxBytes + 1))));
        if (field != "type")
        {
            // "é" is two bytes in UTF-8 but one char: the limit counts bytes, after unescaping.
            string twoByte = new('é', (maxBytes / 2) + 1);
            Assert.Equal($"field '{field}' must be at most {maxBytes} bytes", ParserHarness.RejectionOf(Event(twoByte)));
            string escaped = string.Concat(Enumerable.Repeat("\\u0061", maxBytes));
            using EventBatch unescaped = ParserHarness.Parse(Event(escaped));
            Assert.Equal(1, unescaped.Count);
        }
    }

    [Fact]
    public void PropertyLimits()
    {
        var limits = new IngestLimits(100, 8, 3, TimeSpan.FromHours(24), TimeSpan.FromDays(3650));
        using (EventBatch ok = ParserHarness.Parse("{" + Base + ",\"properties\":{\"a\":1,\"b\":2,\"c\":3}}", BodyFormat.Json, limits))
        {
            Assert.Equal(1, ok.Count);
        }

        Assert.Equal("field 'properties' has more than 3 entries", ParserHarness.RejectionOf("{" + Base + ",\"properties\":{\"a\":1,\"b\":2,\"c\":3,\"d\":{\"x\":[1]}},\"page\":\"/\"}", limits));
        Assert.Equal("field 'properties' has a key longer than 128 bytes", ParserHarness.RejectionOf("{" + Base + ",\"properties\":{\"" + new string('k', 129) + "\":1}}"));
        Assert.Equal("field 'properties' has a string value longer than 2048 bytes", ParserHarness.RejectionOf("{" + Base + ",\"properties\":{\"k\":\"" + new string('v', 2049) + "\"}}"));
        using EventBatch edge = ParserHarness.Parse("{" + Base + ",\"properties\":{\"" + new string('k', 128) + "\":\"" + new string('v', 2048) + "\"}}");
        Assert.Equal(1, edge.Count);
    }

    [Fact]
    public void NestingDeeperThanTheLimitRejectsOnlyThatEvent()
    {
        // MaxDepth 4: the event is level 1, so an unknown field may hold objects three deep.
        var limits = new IngestLimits(100, 4, 64, TimeSpan.FromHours(24), TimeSpan.FromDays(3650));
        string ok = "{" + Base + ",\"extra\":{\"a\":{\"b\":[1]}}}";
        string deep = "{" + Base + ",\"extra\":{\"a\":{\"b\":[[1]]}}}";
        using EventBatch batch = ParserHarness.Parse($"[{ok},{deep},{ok}]", BodyFormat.Json, limits);
        Assert.Null(batch.BodyError);
        Assert.Equal(2, batch.Count);
        Assert.Equal(new IngestError(1, "JSON nesting deeper than 4 levels"), Assert.Single(batch.Errors));

        // Beyond what the reader itself tracks, the body is malformed rather than the event deep.
        string abyss = "{" + Base + ",\"x\":" + new string('[', 200) + new string(']', 200) + "}";
        using EventBatch abyssal = ParserHarness.Parse(abyss);
        Assert.NotNull(abyssal.BodyError);
        Assert.StartsWith("malformed JSON at byte ", abyssal.BodyError);

        using EventBatch line = ParserHarness.Parse(abyss + "\n{" + Base + "}", BodyFormat.Ndjson);
        Assert.Equal(1, line.Count);
        Assert.Equal(0, Assert.Single(line.Errors).Index);
    }

    [Fact]
    public void UnknownFieldsAndNullsAreIgnored()
    {
        using EventBatch batch = ParserHarness.Parse("{\"zzz\":{\"a\":[1,{\"b\":null}]},\"type\":\"click\",\"user_id\":\"u\",\"page\":null,\"price\":null,\"quantity\":null,\"properties\":null,\"timestamp\":null,\"event_id\":null,\"other\":\"x\"}");
        Assert.Equal(1, batch.Count);
        var e = new EncodedEvent(batch.GetPayload(0));
        Assert.Equal(0, e[EventField.Page].Length);
        Assert.Equal(0, e[EventField.Properties].Length);
        Assert.Equal(1, e.Header.Quantity);
        Assert.Equal(ParserHarness.Arrival, e.Header.EventTimeMs);
        Assert.Equal(EventFlags.GeneratedEventId, e.Header.Flags);
    }

    [Fact]
    public void FirstErrorWinsAndTheRestOfTheEventIsSkipped()
    {
        using EventBatch batch = ParserHarness.Parse("[{\"type\":\"click\",\"price\":-1,\"page\":7,\"user_id\":\"u\"},{" + Base + "}]");
        Assert.Equal(new IngestError(0, "field 'price' must be a number >= 0"), Assert.Single(batch.Errors));
        Assert.Equal(1, batch.Count);
        Assert.Equal(1, batch.GetIndex(0));
    }

    [Fact]
    public void InvalidUtf8IsRejectedWhereverItIs()
    {
        // Raw bytes the reader passes through as JSON-valid but are not UTF-8: a lone continuation
        // byte, an overlong '/', a truncated sequence, and an encoded surrogate.
        byte[][] bad = [[0x80], [0xC0, 0xAF], [0xE2, 0x82], [0xED, 0xA0, 0x80]];
        foreach (byte[] b in bad)
        {
            Assert.Equal("field 'page' is not valid UTF-8", RejectRaw("{" + Base + ",\"page\":\"/", b, "\"}"));
            Assert.Equal("field 'user_id' is not valid UTF-8", RejectRaw("{\"type\":\"click\",\"user_id\":\"", b, "\"}"));
            Assert.Equal("field 'properties' has a string value that is not valid UTF-8", RejectRaw("{" + Base + ",\"properties\":{\"k\":\"", b, "\"}}"));
            Assert.Equal("field 'properties' has a key that is not valid UTF-8", RejectRaw("{" + Base + ",\"properties\":{\"", b, "\":1}}"));
            Assert.Equal("a string in an unknown field is not valid UTF-8", RejectRaw("{" + Base + ",\"extra\":\"", b, "\"}"));
            Assert.Equal("a string in an unknown field is not valid UTF-8", RejectRaw("{" + Base + ",\"extra\":{\"a\":[\"", b, "\"]}}"));
            Assert.Equal("a field name is not valid UTF-8", RejectRaw("{" + Base + ",\"", b, "\":1}"));
        }

        // Escaped lone surrogates unescape to no valid UTF-8 either.
        Assert.Equal("field 'page' is not valid UTF-8", ParserHarness.RejectionOf("{" + Base + ",\"page\":\"\\ud800\"}"));
        Assert.Equal("field 'page' is not valid UTF-8", ParserHarness.RejectionOf("{" + Base + ",\"page\":\"\\udc00\\ud800\"}"));
        Assert.Equal("field 'properties' has a key that is not valid UTF-8", ParserHarness.RejectionOf("{" + Base + ",\"properties\":{\"\\ud800\":1}}"));
        Assert.Equal("a string in an unknown field is not valid UTF-8", ParserHarness.RejectionOf("{" + Base + ",\"x\":\"\\udfff\"}"));
    }

    private static string RejectRaw(string before, byte[] bad, string after)
    {
        byte[] body = [.. Encoding.UTF8.GetBytes(before), .. bad, .. Encoding.UTF8.GetBytes(after)];
        using EventBatch batch = ParserHarness.Parse(body);
        Assert.Null(batch.BodyError);
        return Assert.Single(batch.Errors).Error;
    }
}
