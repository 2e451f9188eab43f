using System.Diagnostics;
using System.Text.Json;

namespace Pulse.Bench;

/// <summary>
/// The parsing ceiling: one <see cref="Utf8JsonReader"/> loop per core over the very bodies the load
/// sends, reading every token and nothing more.
/// </summary>
internal static class TokenizerCeiling
{
    /// <summary>Events per second over all cores for about <paramref name="duration"/>.</summary>
    public static double Measure(IReadOnlyList<BenchBody> bodies, TimeSpan duration)
    {
        int threads = Environment.ProcessorCount;
        var events = new long[threads];
        var workers = new Thread[threads];
        var clock = Stopwatch.StartNew();
        for (int t = 0; t < threads; t++)
        {
            int index = t;
            workers[t] = new Thread(() => events[index] = Loop(bodies, index, duration, clock)) { IsBackground = true, Name = "bench-tokenizer-" + t };
            workers[t].Start();
        }

        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        double seconds = clock.Elapsed.TotalSeconds;
        long total = 0;
        foreach (long count in events)
        {
            total += count;
        }

        return total / seconds;
    }

    private static long Loop(IReadOnlyList<BenchBody> bodies, int start, TimeSpan duration, Stopwatch clock)
    {
        long events = 0;
        int next = start;
        while (clock.Elapsed < duration)
        {
            BenchBody body = bodies[next++ % bodies.Count];
            events += Tokenize(body.Payload.Span);
        }

        return events;
    }

    /// <summary>Reads every token of the NDJSON and returns the number of top-level values (events).</summary>
    internal static long Tokenize(ReadOnlySpan<byte> ndjson)
    {
        var reader = new Utf8JsonReader(ndjson, new JsonReaderOptions { AllowMultipleValues = true });
        long values = 0;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0)
            {
                values++;
            }
        }

        return values;
    }
}
