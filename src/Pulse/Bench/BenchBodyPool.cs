using System.Collections.Concurrent;
using Pulse.Generate;

namespace Pulse.Bench;

/// <summary>
/// A fixed pool of restampable bodies built once from the generator's model. Senders rent a body,
/// stamp it with the next run number, send it and return it: nothing is generated or allocated per
/// send, and every event id sent through the pool is unique for the life of the pool.
/// </summary>
internal sealed class BenchBodyPool
{
    private readonly ConcurrentQueue<BenchBody> _free = new();
    private long _runs;

    private BenchBodyPool(BenchBody[] bodies)
    {
        Bodies = bodies;
        foreach (BenchBody body in bodies)
        {
            _free.Enqueue(body);
            TotalBytes += body.Length;
        }
    }

    public IReadOnlyList<BenchBody> Bodies { get; }

    /// <summary>Bytes of all bodies together.</summary>
    public long TotalBytes { get; }

    /// <summary>Run numbers handed out so far (one per send).</summary>
    public long Runs => Interlocked.Read(ref _runs);

    public static async Task<BenchBodyPool> BuildAsync(int bodies, int eventsPerBody, long seed, long startMs, double eventTimeRate, CancellationToken cancellationToken)
    {
        var settings = new GeneratorSettings
        {
            Seed = seed,
            Count = (long)bodies * eventsPerBody,
            StartMs = startMs,
            TimeRate = eventTimeRate,
            BatchSize = eventsPerBody,
            ProgressInterval = null,
        };
        using var ndjson = new MemoryStream();
        await TrafficGenerator.WriteAsync(settings, ndjson, TextWriter.Null, cancellationToken).ConfigureAwait(false);
        return new BenchBodyPool(Split(ndjson.GetBuffer().AsSpan(0, (int)ndjson.Length), bodies, eventsPerBody, startMs, eventTimeRate));
    }

    /// <summary>Cuts NDJSON into bodies of <paramref name="eventsPerBody"/> lines and rewrites each line for stamping.</summary>
    internal static BenchBody[] Split(ReadOnlySpan<byte> ndjson, int bodies, int eventsPerBody, long startMs, double eventTimeRate)
    {
        var result = new BenchBody[bodies];
        long sequence = 0;
        for (int b = 0; b < bodies; b++)
        {
            // The nominal time of the body's first event; each event keeps its offset from it.
            long baseMs = startMs + (long)(sequence * 1000 / eventTimeRate);
            var runOffsets = new int[eventsPerBody];
            var timestampOffsets = new int[eventsPerBody];
            var isText = new bool[eventsPerBody];
            var deltas = new long[eventsPerBody];
            byte[] buffer = new byte[Math.Min(ndjson.Length, eventsPerBody * NdjsonEventWriter.MaxLineBytes) + (eventsPerBody * BodyLineRewriter.MaxGrowth)];
            int length = 0;
            for (int i = 0; i < eventsPerBody; i++)
            {
                int newline = ndjson.IndexOf((byte)'\n');
                if (newline < 0)
                {
                    throw new InvalidOperationException($"The generator wrote fewer than {bodies * eventsPerBody} lines.");
                }

                int written = BodyLineRewriter.Rewrite(ndjson[..(newline + 1)], sequence++, baseMs, buffer.AsSpan(length), out int runOffset, out int timestampOffset, out isText[i], out deltas[i]);
                runOffsets[i] = length + runOffset;
                timestampOffsets[i] = length + timestampOffset;
                length += written;
                ndjson = ndjson[(newline + 1)..];
            }

            Array.Resize(ref buffer, length);
            result[b] = new BenchBody(buffer, length, runOffsets, timestampOffsets, isText, deltas);
        }

        return result;
    }

    /// <summary>Rents a free body stamped with a new run number and the current time; waits while all are in flight.</summary>
    public async ValueTask<BenchBody> RentAsync(CancellationToken cancellationToken)
    {
        BenchBody? body;
        while (!_free.TryDequeue(out body))
        {
            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }

        body.Stamp(Interlocked.Increment(ref _runs), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return body;
    }

    public void Return(BenchBody body) => _free.Enqueue(body);
}
