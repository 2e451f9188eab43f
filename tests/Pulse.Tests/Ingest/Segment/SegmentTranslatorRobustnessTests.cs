using System.Text;
using Pulse.Ingest;
using Pulse.Ingest.Segment;

namespace Pulse.Tests.Ingest.Segment;

/// <summary>Whatever the bytes, the translator neither throws nor writes a line the parser cannot read; and it allocates nothing per call.</summary>
public class SegmentTranslatorRobustnessTests
{
    private static readonly byte[] Valid = Encoding.UTF8.GetBytes("""
        {"batch":[
          {"type":"track","userId":"u\u00e9","event":"Order Completed","messageId":"m-1","timestamp":"2023-11-14T22:00:00.000Z",
           "properties":{"order_id":"o","revenue":9.5,"currency":"usd","products":[{"product_id":"p","price":9.5,"quantity":1}],"x":{"y":[1,null,"z"]}},
           "context":{"page":{"path":"/c"},"location":{"country":"DE"}}},
          {"type":"page","anonymousId":"a","name":"Home","properties":{"path":"/","title":"日本"},"originalTimestamp":1699999990000},
          {"type":"identify","userId":"u","traits":{"a":{"b":true}}}
        ],"sentAt":"2023-11-14T22:13:20.000Z","context":{"device":{"type":"mobile"}}}
        """);

    private static readonly byte[] Alphabet = [.. Encoding.UTF8.GetBytes("{}[]:,\"\\ \n\tabcdeutnlfr0123456789.-+eE_/é"), 0x80, 0xC0, 0xED, 0xFF, 0x00];

    [Fact]
    public void Translation_never_throws_and_its_lines_always_parse()
    {
        var random = new Random(20261203);
        using var translation = new SegmentTranslation();
        using var batch = new EventBatch();
        byte[] body = new byte[Valid.Length + 8];
        Check(Valid, translation, batch);
        Assert.Equal(3, batch.Count);
        for (int i = 0; i < 3000; i++)
        {
            int length = Valid.Length;
            Valid.CopyTo(body, 0);
            int edits = random.Next(1, 6);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(length);
                switch (random.Next(3))
                {
                    case 0:
                        body[at] = Alphabet[random.Next(Alphabet.Length)];
                        break;
                    case 1:
                        Array.Copy(body, at + 1, body, at, length - at - 1);
                        length--;
                        break;
                    default:
                        if (length < body.Length)
                        {
                            Array.Copy(body, at, body, at + 1, length - at);
                            body[at] = Alphabet[random.Next(Alphabet.Length)];
                            length++;
                        }

                        break;
                }
            }

            Check(body.AsSpan(0, length), translation, batch);
        }

        for (int length = 0; length < Valid.Length; length += 7)
        {
            Check(Valid.AsSpan(0, length), translation, batch);
        }
    }

    private static void Check(ReadOnlySpan<byte> body, SegmentTranslation translation, EventBatch batch)
    {
        SegmentTranslator.Translate(body, SegmentCall.Batch, SegmentHarness.Arrival, IngestLimits.Default, translation);
        Assert.False(translation.BodyError?.StartsWith("untranslatable", StringComparison.Ordinal) ?? false, translation.BodyError);
        batch.Reset();
        if (translation.Count > 0)
        {
            EventParser.Parse(translation.Ndjson, BodyFormat.Ndjson, SegmentHarness.Arrival, IngestLimits.Default, batch);
            Assert.Null(batch.BodyError);
            Assert.Equal(translation.Count, batch.TotalSeen);
        }

        foreach (IngestError error in translation.MergeErrors(batch.Errors))
        {
            Assert.False(error.Error.StartsWith("malformed JSON", StringComparison.Ordinal), error.Error);
            Assert.False(error.Error.StartsWith("unparseable", StringComparison.Ordinal), error.Error);
            Assert.InRange(error.Index, 0, translation.TotalSeen - 1);
        }
    }

    [Fact]
    public void Steady_state_translation_allocates_nothing()
    {
        var sb = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < 200; i++)
        {
            sb.Append(i == 0 ? "" : ",")
              .Append("{\"type\":\"track\",\"userId\":\"user-").Append(i).Append("\",\"event\":\"")
              .Append((i % 3) switch { 0 => "Product Added", 1 => "Order Completed", _ => "Video Played" })
              .Append("\",\"messageId\":\"m-").Append(i).Append("\",\"timestamp\":\"2023-11-14T22:00:00.250Z\",")
              .Append("\"properties\":{\"product_id\":\"p-1\",\"price\":19.99,\"quantity\":2,\"currency\":\"eur\",\"revenue\":40,")
              .Append("\"products\":[{\"product_id\":\"p-1\",\"price\":19.99,\"quantity\":2}],\"nested\":{\"caf\\u00e9\":\"x\",\"n\":1}},")
              .Append("\"context\":{\"page\":{\"path\":\"/p/1\"},\"location\":{\"country\":\"DE\"},\"library\":{\"name\":\"x\"}}}");
        }

        byte[] body = Encoding.UTF8.GetBytes(sb.Append("],\"sentAt\":\"2023-11-14T22:13:20.000Z\"}").ToString());
        using var translation = new SegmentTranslation();
        for (int warmUp = 0; warmUp < 3; warmUp++)
        {
            SegmentTranslator.Translate(body, SegmentCall.Batch, SegmentHarness.Arrival, IngestLimits.Default, translation);
        }

        Assert.Equal(200, translation.Count);
        Assert.Empty(translation.Errors);

        // As for the parser: one-time runtime work may allocate once; a per-call allocation shows in every window.
        long fewest = long.MaxValue;
        for (int window = 0; window < 4 && fewest > 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int round = 0; round < 5; round++)
            {
                SegmentTranslator.Translate(body, SegmentCall.Batch, SegmentHarness.Arrival, IngestLimits.Default, translation);
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(200, translation.Count);
        Assert.Equal(0, fewest);
    }
}
