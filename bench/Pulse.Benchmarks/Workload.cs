using Pulse.Generate;
using Pulse.Hosting;
using Pulse.Ingest;

namespace Pulse.Benchmarks;

/// <summary>
/// The generator's seeded shop traffic, as NDJSON bodies and as encoded events parsed by the real
/// parser, so every benchmark measures the engine on the same events the server would see.
/// </summary>
internal static class Workload
{
    public const long StartMs = 1_796_000_000_000;

    public static readonly IngestLimits Limits = IngestLimits.FromOptions(new IngestOptions { MaxPastAge = TimeSpan.FromDays(36500) });

    /// <summary>An NDJSON body of <paramref name="events"/> generator events (event time at 10,000 events/s from <see cref="StartMs"/>).</summary>
    public static byte[] NdjsonBody(int events, long seed = 42, int users = 10_000)
    {
        var source = new TrafficSource(new GeneratorSettings { Seed = seed, Users = users, StartMs = StartMs });
        var batch = new Pulse.Generate.EventBatch(events);
        source.Fill(batch, events);
        return batch.Payload.ToArray();
    }

    /// <summary>Parsed, encoded events in batches of 1000, as processors read them from the log.</summary>
    public static Pulse.Ingest.EventBatch[] EncodedBatches(int batches, long seed = 42, int users = 10_000)
    {
        var source = new TrafficSource(new GeneratorSettings { Seed = seed, Users = users, StartMs = StartMs });
        var generated = new Pulse.Generate.EventBatch(1000);
        var result = new Pulse.Ingest.EventBatch[batches];
        for (int b = 0; b < batches; b++)
        {
            source.Fill(generated, 1000);
            result[b] = new Pulse.Ingest.EventBatch();
            EventParser.Parse(generated.Payload.Span, BodyFormat.Ndjson, StartMs, Limits, result[b]);
            if (result[b].Errors.Count > 0)
            {
                throw new InvalidOperationException("The generator made an event the parser rejects: " + result[b].Errors[0]);
            }
        }

        return result;
    }
}
