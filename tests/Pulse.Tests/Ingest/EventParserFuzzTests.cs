using System.Text;
using Pulse.Events;
using Pulse.Ingest;

namespace Pulse.Tests.Ingest;

public class EventParserFuzzTests
{
    private static readonly byte[] Valid = Encoding.UTF8.GetBytes("""
        [{"event_id":"e1","type":"purchase","timestamp":"2023-11-14T21:00:00.250+01:00","user_id":"u\u00e9","page":"/p/1",
          "price":19.99,"quantity":3,"currency":"EUR","properties":{"a":"b\"c","n":1.5e2,"t":true},"x":{"y":[1,null,"z"]}},
         {"type":"page_view","anonymous_id":"a","timestamp":1699999999000,"referrer":"https://r.example/?q=日本"}]
        """);

    private static readonly byte[] Alphabet = Encoding.UTF8.GetBytes("{}[]:,\"\\ \n\r\tabcdeutnlfr0123456789.-+eE_/é") is var a ? [.. a, 0x80, 0xC0, 0xED, 0xFF, 0x00] : [];

    [Fact]
    public void ParseNeverThrowsOnTruncations()
    {
        using var batch = new EventBatch();
        for (int length = 0; length <= Valid.Length; length++)
        {
            Check(Valid.AsSpan(0, length), batch);
        }
    }

    [Fact]
    public void ParseNeverThrowsOnMutations()
    {
        var random = new Random(20261122);
        using var batch = new EventBatch();
        byte[] body = new byte[Valid.Length + 8];
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
                        body[at] = (byte)random.Next(256);
                        break;
                    default:
                        // Newlines turn the array into NDJSON-ish fragments.
                        body[at] = (byte)'\n';
                        break;
                }
            }

            Check(body.AsSpan(0, length), batch);
        }
    }

    [Fact]
    public void ParseNeverThrowsOnRandomBytes()
    {
        var random = new Random(7);
        using var batch = new EventBatch();
        for (int i = 0; i < 3000; i++)
        {
            byte[] body = new byte[random.Next(0, 200)];
            bool fromAlphabet = random.Next(2) == 0;
            for (int j = 0; j < body.Length; j++)
            {
                body[j] = fromAlphabet ? Alphabet[random.Next(Alphabet.Length)] : (byte)random.Next(256);
            }

            if (body.Length > 0 && random.Next(2) == 0)
            {
                body[0] = (byte)'{';
            }

            Check(body, batch);
        }
    }

    private static void Check(ReadOnlySpan<byte> body, EventBatch batch)
    {
        var tight = new IngestLimits(5, 2, 2, TimeSpan.FromHours(1), TimeSpan.FromDays(1));
        foreach (BodyFormat format in (ReadOnlySpan<BodyFormat>)[BodyFormat.Json, BodyFormat.Ndjson])
        {
            foreach (IngestLimits limits in (ReadOnlySpan<IngestLimits>)[IngestLimits.Default, tight])
            {
                EventParser.Parse(body, format, 1_700_000_000_000, limits, batch);
                if (batch.BodyError is not null)
                {
                    Assert.DoesNotContain("unparseable", batch.BodyError);
                    Assert.Equal(0, batch.Count);
                    Assert.Empty(batch.Errors);
                    continue;
                }

                Assert.Equal(batch.TotalSeen, batch.Count + batch.Errors.Count);
                for (int i = 0; i < batch.Count; i++)
                {
                    var e = new EncodedEvent(batch.GetPayload(i));
                    Assert.Equal(batch.GetHeader(i), e.Header);
                    Assert.True(e[EventField.Type].Length > 0);
                    Assert.True(e[EventField.User].Length > 0);
                }
            }
        }
    }
}
