using System.Text;
using Pulse.Events;
using Pulse.Ingest;

namespace Pulse.Tests.Ingest;

public class EventParserFormatTests
{
    [Fact]
    public void SingleObject()
    {
        using EventBatch batch = ParserHarness.Parse("""{"type":"page_view","user_id":"u1","page":"/"}""");
        Assert.Null(batch.BodyError);
        Assert.Equal(1, batch.Count);
        Assert.Equal(1, batch.TotalSeen);
        Assert.Empty(batch.Errors);
        Assert.Equal(0, batch.GetIndex(0));
        var e = new EncodedEvent(batch.GetPayload(0));
        Assert.Equal(EventKind.PageView, e.Header.Kind);
        Assert.Equal("/", e.Text(EventField.Page));
    }

    [Fact]
    public void ArrayWithInvalidEventsKeepsIndicesOfValidOnes()
    {
        const string body = """
            [
              {"type":"click","user_id":"a"},
              {"type":"BAD","user_id":"b"},
              42,
              {"type":"purchase","user_id":"c","price":1.5},
              {"user_id":"d"},
              {"type":"session_start","anonymous_id":"e"}
            ]
            """;
        using EventBatch batch = ParserHarness.Parse(body);
        Assert.Null(batch.BodyError);
        Assert.Equal(6, batch.TotalSeen);
        Assert.Equal(3, batch.Count);
        Assert.Equal([0, 3, 5], [batch.GetIndex(0), batch.GetIndex(1), batch.GetIndex(2)]);
        Assert.Equal("c", new EncodedEvent(batch.GetPayload(1)).Text(EventField.User));
        Assert.Equal("e", new EncodedEvent(batch.GetPayload(2)).Text(EventField.User));
        Assert.Equal(
            [
                new IngestError(1, "field 'type' must match [a-z0-9_]{1,64}"),
                new IngestError(2, "event must be a JSON object"),
                new IngestError(4, "missing required field 'type'"),
            ],
            batch.Errors);
    }

    [Fact]
    public void NdjsonLinesAreIndependent()
    {
        string body = "{\"type\":\"click\",\"user_id\":\"a\"}\r\n"
            + "\r\n"
            + "   \n"
            + "{\"type\":\"click\",\"user_id\":\n"
            + "{\"type\":\"click\",\"user_id\":\"b\"} trailing\n"
            + "[1]\n"
            + "{\"type\":\"click\",\"user_id\":\"c\"}";
        using EventBatch batch = ParserHarness.Parse(body, BodyFormat.Ndjson);
        Assert.Null(batch.BodyError);
        Assert.Equal(5, batch.TotalSeen);
        Assert.Equal(2, batch.Count);
        Assert.Equal(0, batch.GetIndex(0));
        Assert.Equal(4, batch.GetIndex(1));
        Assert.Equal("c", new EncodedEvent(batch.GetPayload(1)).Text(EventField.User));
        Assert.Equal(3, batch.Errors.Count);
        Assert.Equal(1, batch.Errors[0].Index);
        Assert.StartsWith("malformed JSON at line 4, byte ", batch.Errors[0].Error);
        Assert.Equal(2, batch.Errors[1].Index);
        Assert.StartsWith("malformed JSON at line 5, byte 31:", batch.Errors[1].Error);
        Assert.Equal(new IngestError(3, "event must be a JSON object"), batch.Errors[2]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \r\n ")]
    [InlineData("[]")]
    [InlineData(" [ ] ")]
    public void EmptyJsonBodiesHaveNoEvents(string body)
    {
        using EventBatch batch = ParserHarness.Parse(body);
        Assert.Equal("no events", batch.BodyError);
        Assert.Equal(0, batch.Count);
    }

    [Fact]
    public void BlankNdjsonHasNoEvents()
    {
        using EventBatch batch = ParserHarness.Parse("\n\r\n  \n", BodyFormat.Ndjson);
        Assert.Equal("no events", batch.BodyError);
    }

    [Theory]
    [InlineData("[{\"type\":\"click\",\"user_id\":\"a\"}, {\"type\":", 41)]
    [InlineData("{\"type\":\"click\",\"user_id\":\"a\"} x", 31)]
    [InlineData("[{\"type\":\"click\",\"user_id\":\"a\"},]", 32)]
    [InlineData("{\"type\":\"click\"\n,\n \"user_id\" \"a\"}", 29)]
    public void SyntaxErrorVoidsJsonBody(string body, int position)
    {
        using EventBatch batch = ParserHarness.Parse(body);
        Assert.Equal(0, batch.Count);
        Assert.Empty(batch.Errors);
        Assert.NotNull(batch.BodyError);
        Assert.StartsWith($"malformed JSON at byte {position}: ", batch.BodyError);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("\"x\"")]
    [InlineData("null")]
    public void ScalarBodyIsRejected(string body)
    {
        using EventBatch batch = ParserHarness.Parse(body);
        Assert.Equal("body must be a JSON object or an array of JSON objects", batch.BodyError);
    }

    [Fact]
    public void TooManyEventsVoidsTheBody()
    {
        var limits = new IngestLimits(3, 8, 64, TimeSpan.FromHours(24), TimeSpan.FromDays(3650));
        const string one = "{\"type\":\"click\",\"user_id\":\"a\"}";
        using (EventBatch exact = ParserHarness.Parse($"[{one},{one},{one}]", BodyFormat.Json, limits))
        {
            Assert.Equal(3, exact.Count);
        }

        using (EventBatch over = ParserHarness.Parse($"[{one},{one},{one},{one}]", BodyFormat.Json, limits))
        {
            Assert.Equal("too many events: at most 3 per request", over.BodyError);
            Assert.Equal(0, over.Count);
        }

        using EventBatch ndjson = ParserHarness.Parse($"{one}\n{one}\n\n{one}\n{one}\n", BodyFormat.Ndjson, limits);
        Assert.Equal("too many events: at most 3 per request", ndjson.BodyError);
        Assert.Equal(0, ndjson.Count);
    }

    [Fact]
    public void ByteOrderMarkIsSkipped()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("{\"type\":\"click\",\"user_id\":\"a\"}")];
        using EventBatch batch = ParserHarness.Parse(body);
        Assert.Equal(1, batch.Count);
    }

    [Fact]
    public void BatchIsReusableAndResets()
    {
        using var batch = new EventBatch();
        var sb = new StringBuilder("[");
        for (int i = 0; i < 500; i++)
        {
            sb.Append(i == 0 ? "" : ",").Append("{\"type\":\"click\",\"user_id\":\"user-").Append(i).Append("\",\"page\":\"/p/").Append(i).Append("\"}");
        }

        byte[] big = Encoding.UTF8.GetBytes(sb.Append(']').ToString());
        EventParser.Parse(big, BodyFormat.Json, ParserHarness.Arrival, IngestLimits.Default, batch);
        Assert.Equal(500, batch.Count);
        for (int i = 0; i < 500; i++)
        {
            var e = new EncodedEvent(batch.GetPayload(i));
            Assert.Equal($"user-{i}", e.Text(EventField.User));
            Assert.Equal($"/p/{i}", e.Text(EventField.Page));
            Assert.Equal(Hash64.Compute(Encoding.UTF8.GetBytes($"user-{i}")), batch.GetHeader(i).UserHash);
        }

        EventParser.Parse("{\"type\":\"x\",\"user_id\":\"z\"}"u8, BodyFormat.Json, ParserHarness.Arrival, IngestLimits.Default, batch);
        Assert.Equal(1, batch.Count);
        Assert.Equal(1, batch.TotalSeen);
        Assert.Equal("z", new EncodedEvent(batch.GetPayload(0)).Text(EventField.User));
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.GetPayload(1).Length);
    }
}
