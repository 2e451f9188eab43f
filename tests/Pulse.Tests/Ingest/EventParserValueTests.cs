using System.Globalization;
using System.Text;
using Pulse.Events;
using Pulse.Ingest;

namespace Pulse.Tests.Ingest;

public class EventParserValueTests
{
    [Fact]
    public void RoundTripsEveryField()
    {
        const string json = """
            {"event_id":"evt-1","type":"purchase","timestamp":"2023-11-14T21:00:00.250Z","user_id":"user \"42\"",
             "anonymous_id":"anon-9","session_id":"s-1","page":"/product/42","url":"https://shop.example/product/42?x=1",
             "referrer":"https://search.example/?q=caf\u00e9","product_id":"p-42","price":19.99,"quantity":3,
             "currency":"EUR","order_id":"o-7","country":"DE","device":"mobile",
             "properties":{"color":"r\u00f6d","size":42,"gift":true,"note":"a\"b","n":-1.5e3,"f":false}}
            """;
        using EventBatch batch = ParserHarness.Parse(json);
        Assert.Equal(1, batch.Count);
        var e = new EncodedEvent(batch.GetPayload(0));
        EventHeader h = e.Header;
        Assert.Equal(batch.GetHeader(0), h);
        Assert.Equal(1_699_995_600_250, h.EventTimeMs);
        Assert.Equal(ParserHarness.Arrival, h.ArrivalTimeMs);
        Assert.Equal(Hash64.Compute("evt-1"u8), h.EventIdHash);
        Assert.Equal(Hash64.Compute(Encoding.UTF8.GetBytes("user \"42\"")), h.UserHash);
        Assert.Equal(19_990_000, h.PriceMicros);
        Assert.Equal(59_970_000, h.RevenueMicros);
        Assert.Equal(3, h.Quantity);
        Assert.Equal(EventKind.Purchase, h.Kind);
        Assert.Equal(EventFlags.HasPrice, h.Flags);
        Assert.Equal("evt-1", e.Text(EventField.EventId));
        Assert.Equal("purchase", e.Text(EventField.Type));
        Assert.Equal("user \"42\"", e.Text(EventField.User));
        Assert.Equal("s-1", e.Text(EventField.SessionId));
        Assert.Equal("/product/42", e.Text(EventField.Page));
        Assert.Equal("https://shop.example/product/42?x=1", e.Text(EventField.Url));
        Assert.Equal("https://search.example/?q=café", e.Text(EventField.Referrer));
        Assert.Equal("p-42", e.Text(EventField.ProductId));
        Assert.Equal("EUR", e.Text(EventField.Currency));
        Assert.Equal("o-7", e.Text(EventField.OrderId));
        Assert.Equal("DE", e.Text(EventField.Country));
        Assert.Equal("mobile", e.Text(EventField.Device));
        string properties = e.Text(EventField.Properties);
        Assert.Equal("{\"color\":\"r\\u00f6d\",\"size\":42,\"gift\":true,\"note\":\"a\\\"b\",\"n\":-1.5e3,\"f\":false}", properties);
        using var doc = System.Text.Json.JsonDocument.Parse(properties);
        Assert.Equal("röd", doc.RootElement.GetProperty("color").GetString());
        Assert.Equal("a\"b", doc.RootElement.GetProperty("note").GetString());
        Assert.Equal(-1500, doc.RootElement.GetProperty("n").GetDouble());
    }

    [Fact]
    public void AnonymousUserAndGeneratedIds()
    {
        using EventBatch batch = ParserHarness.Parse("[{\"type\":\"page_view\",\"anonymous_id\":\"anon\"},{\"type\":\"page_view\",\"anonymous_id\":\"anon\"}]");
        EventHeader a = batch.GetHeader(0);
        EventHeader b = batch.GetHeader(1);
        Assert.Equal(EventFlags.AnonymousUser | EventFlags.GeneratedEventId, a.Flags);
        Assert.Equal(Hash64.Compute("anon"u8), a.UserHash);
        Assert.NotEqual(a.EventIdHash, b.EventIdHash);
        Assert.Equal(0, new EncodedEvent(batch.GetPayload(0))[EventField.EventId].Length);
        Assert.Equal("anon", new EncodedEvent(batch.GetPayload(0)).Text(EventField.User));

        var seen = new HashSet<ulong>();
        using var many = new EventBatch();
        for (int i = 0; i < 20; i++)
        {
            EventParser.Parse("[{\"type\":\"x\",\"user_id\":\"u\"},{\"type\":\"x\",\"user_id\":\"u\"},{\"type\":\"x\",\"user_id\":\"u\"}]"u8, BodyFormat.Json, ParserHarness.Arrival, IngestLimits.Default, many);
            for (int j = 0; j < many.Count; j++)
            {
                Assert.True(seen.Add(many.GetHeader(j).EventIdHash));
            }
        }
    }

    [Fact]
    public void UserIdWinsOverAnonymousId()
    {
        using EventBatch batch = ParserHarness.Parse("{\"anonymous_id\":\"anon\",\"type\":\"click\",\"user_id\":\"known\"}");
        var e = new EncodedEvent(batch.GetPayload(0));
        Assert.Equal("known", e.Text(EventField.User));
        Assert.False(e.Header.Flags.HasFlag(EventFlags.AnonymousUser));
        Assert.Equal(Hash64.Compute("known"u8), e.Header.UserHash);
    }

    [Fact]
    public void EscapesAndUnicodeAreDecoded()
    {
        using EventBatch batch = ParserHarness.Parse("{\"t\\u0079pe\":\"cl\\u0069ck\",\"user_id\":\"\\ud83d\\ude00 \\u65e5\\u672c \\\\ \\/ \\n\",\"page\":\"/日本/😀\",\"event_id\":\"\\u0041\"}");
        Assert.Equal(1, batch.Count);
        var e = new EncodedEvent(batch.GetPayload(0));
        Assert.Equal(EventKind.Click, e.Header.Kind);
        Assert.Equal("😀 日本 \\ / \n", e.Text(EventField.User));
        Assert.Equal("/日本/😀", e.Text(EventField.Page));
        Assert.Equal(Hash64.Compute("A"u8), e.Header.EventIdHash);
        Assert.Equal(Hash64.Compute(Encoding.UTF8.GetBytes("😀 日本 \\ / \n")), e.Header.UserHash);
    }

    [Theory]
    [InlineData("\"2023-11-14T22:13:20Z\"", 1_700_000_000_000)]
    [InlineData("\"2023-11-14t22:13:20z\"", 1_700_000_000_000)]
    [InlineData("\"2023-11-14 22:13:20Z\"", 1_700_000_000_000)]
    [InlineData("\"2023-11-14T22:13:20.5Z\"", 1_700_000_000_500)]
    [InlineData("\"2023-11-14T22:13:20.123456789Z\"", 1_700_000_000_123)]
    [InlineData("\"2023-11-15T00:13:20+02:00\"", 1_700_000_000_000)]
    [InlineData("\"2023-11-14T17:43:20.007-04:30\"", 1_700_000_000_007)]
    [InlineData("\"2023-11-14T22:13:20+00:00\"", 1_700_000_000_000)]
    [InlineData("\"2020-02-29T00:00:00Z\"", 1_582_934_400_000)]
    [InlineData("\"2023-11-14T22:13:20\\u005a\"", 1_700_000_000_000)]
    [InlineData("1699999999999", 1_699_999_999_999)]
    [InlineData("1700086400000", 1_700_086_400_000)]
    public void TimestampForms(string value, long expectedMs)
    {
        using EventBatch batch = ParserHarness.Parse("{\"type\":\"click\",\"user_id\":\"u\",\"timestamp\":" + value + "}");
        Assert.Equal(1, batch.Count);
        Assert.Equal(expectedMs, batch.GetHeader(0).EventTimeMs);
        Assert.Equal(ParserHarness.Arrival, batch.GetHeader(0).ArrivalTimeMs);
    }

    [Fact]
    public void Rfc3339AgreesWithTheBclOverManyDates()
    {
        var random = new Random(1234);
        for (int i = 0; i < 2000; i++)
        {
            long ms = random.NextInt64(0, 253_402_300_799_999);
            int offsetMinutes = random.Next(-14 * 60, (14 * 60) + 1);
            var instant = DateTimeOffset.FromUnixTimeMilliseconds(ms).ToOffset(TimeSpan.FromMinutes(offsetMinutes));
            if (instant.Year > 9999 || instant.UtcDateTime.Year > 9999 || instant.DateTime.Year < 1)
            {
                continue;
            }

            string text = instant.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
            Assert.True(Rfc3339.TryParse(Encoding.ASCII.GetBytes(text), out long parsed), text);
            Assert.Equal(ms, parsed);
        }
    }

    [Theory]
    [InlineData("19.99", 19_990_000)]
    [InlineData("0", 0)]
    [InlineData("0.0000005", 0)]
    [InlineData("0.0000015", 2)]
    [InlineData("0.0000025", 2)]
    [InlineData("0.00000251", 3)]
    [InlineData("1e2", 100_000_000)]
    [InlineData("1.5E-3", 1_500)]
    [InlineData("1000000000000", 1_000_000_000_000_000_000)]
    [InlineData("123456789.123456", 123_456_789_123_456)]
    public void PriceIsExactMicros(string price, long micros)
    {
        using EventBatch batch = ParserHarness.Parse("{\"type\":\"add_to_cart\",\"user_id\":\"u\",\"price\":" + price + "}");
        EventHeader h = batch.GetHeader(0);
        Assert.Equal(micros, h.PriceMicros);
        Assert.Equal(0, h.RevenueMicros);
        Assert.Equal(EventFlags.HasPrice | EventFlags.GeneratedEventId, h.Flags);
    }

    [Fact]
    public void PurchaseRevenueRules()
    {
        const string body = """
            [
              {"type":"purchase","user_id":"u","price":19.99,"quantity":3},
              {"type":"purchase","user_id":"u","price":19.99,"quantity":3,"revenue":50},
              {"type":"purchase","user_id":"u"},
              {"type":"purchase","user_id":"u","price":0.1},
              {"type":"checkout","user_id":"u","price":5,"revenue":5}
            ]
            """;
        using EventBatch batch = ParserHarness.Parse(body);
        Assert.Equal(5, batch.Count);
        Assert.Equal(59_970_000, batch.GetHeader(0).RevenueMicros);
        Assert.Equal(50_000_000, batch.GetHeader(1).RevenueMicros);
        Assert.True(batch.GetHeader(1).Flags.HasFlag(EventFlags.HasRevenue));
        Assert.False(batch.GetHeader(0).Flags.HasFlag(EventFlags.HasRevenue));
        Assert.Equal(0, batch.GetHeader(2).RevenueMicros);
        Assert.False(batch.GetHeader(2).Flags.HasFlag(EventFlags.HasPrice));
        Assert.Equal(100_000, batch.GetHeader(3).RevenueMicros);
        Assert.Equal(1, batch.GetHeader(3).Quantity);
        Assert.Equal(0, batch.GetHeader(4).RevenueMicros);
        Assert.Equal(EventKind.Checkout, batch.GetHeader(4).Kind);
    }

    [Fact]
    public void SumsOfManyAmountsEqualDecimalSums()
    {
        var random = new Random(42);
        var sb = new StringBuilder("[");
        decimal expected = 0m;
        for (int i = 0; i < 5000; i++)
        {
            // Up to six decimals, so each amount is exact in micros and the sums must match to the unit.
            decimal amount = random.NextInt64(0, 100_000_000_000) / 1_000_000m;
            int quantity = random.Next(1, 10);
            expected += amount * quantity;
            sb.Append(i == 0 ? "" : ",")
              .Append("{\"type\":\"purchase\",\"user_id\":\"u\",\"price\":")
              .Append(amount.ToString(CultureInfo.InvariantCulture))
              .Append(",\"quantity\":").Append(quantity).Append('}');
        }

        using EventBatch batch = ParserHarness.Parse(sb.Append(']').ToString());
        Assert.Equal(5000, batch.Count);
        long total = 0;
        for (int i = 0; i < batch.Count; i++)
        {
            total += batch.GetHeader(i).RevenueMicros;
        }

        Assert.Equal(expected * 1_000_000m, total);
        Assert.NotEqual(0, total % 10_000);
    }
}
