using System.Text;
using System.Text.Json;
using Pulse.Bench;

namespace Pulse.Tests.Bench;

public class BenchBodyPoolTests
{
    private const long StartMs = 1_795_300_000_000;

    [Fact]
    public async Task Restamped_bodies_stay_valid_ndjson_with_ids_unique_across_sends()
    {
        BenchBodyPool pool = await BenchBodyPool.BuildAsync(bodies: 3, eventsPerBody: 200, seed: 7, StartMs, eventTimeRate: 1000, CancellationToken.None);
        var ids = new HashSet<string>();
        int sends = 0;
        for (int round = 0; round < 4; round++)
        {
            var rented = new List<BenchBody>();
            for (int i = 0; i < pool.Bodies.Count; i++)
            {
                BenchBody body = await pool.RentAsync(CancellationToken.None);
                rented.Add(body);
                sends++;
                foreach (JsonElement e in Lines(body))
                {
                    Assert.True(ids.Add(e.GetProperty("event_id").GetString()!), "an event id repeated");
                    Assert.False(string.IsNullOrEmpty(e.GetProperty("type").GetString()));
                }
            }

            foreach (BenchBody body in rented)
            {
                pool.Return(body);
            }
        }

        Assert.Equal(sends * 200, ids.Count);
        Assert.Equal(sends, pool.Runs);
    }

    [Fact]
    public async Task Stamping_moves_every_time_by_the_same_amount_and_keeps_everything_else()
    {
        BenchBodyPool pool = await BenchBodyPool.BuildAsync(bodies: 2, eventsPerBody: 300, seed: 11, StartMs, eventTimeRate: 1000, CancellationToken.None);
        BenchBody body = pool.Bodies[1];
        body.Stamp(run: 5, nowMs: StartMs);
        JsonElement[] before = Lines(body);
        string textBefore = Encoding.UTF8.GetString(body.Payload.Span);
        const long shift = 86_400_000 + 123;
        body.Stamp(run: 6, nowMs: StartMs + shift);
        JsonElement[] after = Lines(body);
        string textAfter = Encoding.UTF8.GetString(body.Payload.Span);

        Assert.Equal(textBefore.Length, textAfter.Length);
        bool sawText = false;
        bool sawNumber = false;
        for (int i = 0; i < before.Length; i++)
        {
            Assert.Equal(Millis(before[i].GetProperty("timestamp")) + shift, Millis(after[i].GetProperty("timestamp")));
            sawText |= after[i].GetProperty("timestamp").ValueKind == JsonValueKind.String;
            sawNumber |= after[i].GetProperty("timestamp").ValueKind == JsonValueKind.Number;
            Assert.Equal(before[i].GetProperty("type").GetString(), after[i].GetProperty("type").GetString());
            Assert.EndsWith(before[i].GetProperty("event_id").GetString()![^10..], after[i].GetProperty("event_id").GetString()!, StringComparison.Ordinal);
            Assert.Equal(StripVolatile(before[i]), StripVolatile(after[i]));
        }

        Assert.True(sawText && sawNumber, "the generator writes both timestamp forms and both must survive stamping");
    }

    [Fact]
    public async Task A_body_keeps_the_generators_events_in_order_except_id_and_time()
    {
        var settings = new Pulse.Generate.GeneratorSettings { Seed = 3, Count = 100, StartMs = StartMs, TimeRate = 1000, ProgressInterval = null };
        using var original = new MemoryStream();
        await Pulse.Generate.TrafficGenerator.WriteAsync(settings, original, TextWriter.Null, CancellationToken.None);
        BenchBody[] bodies = BenchBodyPool.Split(original.ToArray(), bodies: 1, eventsPerBody: 100, StartMs, eventTimeRate: 1000);
        string[] expected = Encoding.UTF8.GetString(original.ToArray()).TrimEnd('\n').Split('\n');
        JsonElement[] rewritten = Lines(bodies[0]);
        Assert.Equal(expected.Length, rewritten.Length);
        // Stamped at the body's own nominal start, every event gets back exactly its generated time.
        bodies[0].Stamp(run: 1, nowMs: StartMs);
        JsonElement[] stamped = Lines(bodies[0]);
        for (int i = 0; i < expected.Length; i++)
        {
            using JsonDocument source = JsonDocument.Parse(expected[i]);
            Assert.Equal(StripVolatile(source.RootElement), StripVolatile(rewritten[i]));
            Assert.Equal(Millis(source.RootElement.GetProperty("timestamp")), Millis(rewritten[i].GetProperty("timestamp")));
            Assert.Equal(Millis(source.RootElement.GetProperty("timestamp")), Millis(stamped[i].GetProperty("timestamp")));
            Assert.Equal(source.RootElement.GetProperty("timestamp").ValueKind, stamped[i].GetProperty("timestamp").ValueKind);
            Assert.Matches("^bench-000000000001-[0-9]{9}$", stamped[i].GetProperty("event_id").GetString());
        }
    }

    [Fact]
    public void A_line_not_in_the_generators_shape_is_refused()
    {
        byte[] destination = new byte[1024];
        Assert.Throws<InvalidOperationException>(() => BodyLineRewriter.Rewrite("{\"type\":\"click\"}\n"u8, 0, 0, destination, out _, out _, out _, out _));
        Assert.Throws<InvalidOperationException>(() => BodyLineRewriter.Rewrite("{\"event_id\":\"1-1\",\"type\":\"click\"}\n"u8, 0, 0, destination, out _, out _, out _, out _));
    }

    [Fact]
    public void Fixed_width_fields_refuse_values_that_do_not_fit()
    {
        byte[] digits = new byte[3];
        BenchBody.WriteFixed(7, digits);
        Assert.Equal("007", Encoding.ASCII.GetString(digits));
        Assert.Throws<ArgumentOutOfRangeException>(() => BenchBody.WriteFixed(1000, digits));
    }

    private static JsonElement[] Lines(BenchBody body)
    {
        string text = Encoding.UTF8.GetString(body.Payload.Span);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        string[] lines = text[..^1].Split('\n');
        var result = new JsonElement[lines.Length];
        for (int i = 0; i < lines.Length; i++)
        {
            using JsonDocument document = JsonDocument.Parse(lines[i]);
            result[i] = document.RootElement.Clone();
        }

        Assert.Equal(body.Events, result.Length);
        return result;
    }

    private static long Millis(JsonElement timestamp) => timestamp.ValueKind == JsonValueKind.Number
        ? timestamp.GetInt64()
        : DateTimeOffset.Parse(timestamp.GetString()!, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    /// <summary>The event without its id and time, as canonical text.</summary>
    private static string StripVolatile(JsonElement e)
    {
        var builder = new StringBuilder();
        foreach (JsonProperty property in e.EnumerateObject())
        {
            if (property.Name is not ("event_id" or "timestamp"))
            {
                builder.Append(property.Name).Append('=').Append(property.Value.GetRawText()).Append(';');
            }
        }

        return builder.ToString();
    }
}
