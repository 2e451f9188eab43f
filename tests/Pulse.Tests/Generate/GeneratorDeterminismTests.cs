using Pulse.Generate;

namespace Pulse.Tests.Generate;

public class GeneratorDeterminismTests
{
    [Fact]
    public void Same_seed_and_start_give_byte_identical_output()
    {
        (byte[] first, _) = GeneratorRun.Write(GeneratorRun.Settings(seed: 11, count: 20_000));
        (byte[] second, _) = GeneratorRun.Write(GeneratorRun.Settings(seed: 11, count: 20_000));

        Assert.True(first.Length > 1_000_000);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Batch_size_does_not_change_the_events()
    {
        GeneratorSettings small = GeneratorRun.Settings(seed: 5, count: 5_000);
        small.BatchSize = 7;
        (byte[] a, _) = GeneratorRun.Write(small);
        (byte[] b, _) = GeneratorRun.Write(GeneratorRun.Settings(seed: 5, count: 5_000));

        Assert.Equal(a, b);
    }

    [Fact]
    public void Different_seeds_give_different_output()
    {
        (byte[] a, _) = GeneratorRun.Write(GeneratorRun.Settings(seed: 1, count: 2_000));
        (byte[] b, _) = GeneratorRun.Write(GeneratorRun.Settings(seed: 2, count: 2_000));

        string[] linesA = GeneratorRun.Text(a).Split('\n');
        string[] linesB = GeneratorRun.Text(b).Split('\n');
        int identical = 0;
        for (int i = 0; i < Math.Min(linesA.Length, linesB.Length); i++)
        {
            // Compare without the seed-bearing ids: the traffic itself must differ, not only the prefixes.
            if (StripIds(linesA[i]) == StripIds(linesB[i]))
            {
                identical++;
            }
        }

        Assert.NotEqual(a, b);
        Assert.True(identical < linesA.Length / 10, $"{identical} of {linesA.Length} lines are the same");
    }

    [Fact]
    public void Count_is_exact_and_event_ids_are_seed_and_sequence()
    {
        (byte[] bytes, GenerateSummary summary) = GeneratorRun.Write(GeneratorRun.Settings(seed: 9, count: 1_234));
        var lines = GeneratorRun.ParseLines(bytes);

        Assert.Equal(1_234, lines.Count);
        Assert.Equal(1_234, summary.Sent);
        for (int i = 0; i < lines.Count; i++)
        {
            Assert.Equal($"9-{i}", lines[i].RootElement.GetProperty("event_id").GetString());
        }
    }

    private static string StripIds(string line)
    {
        int idEnd = line.IndexOf("\"type\"", StringComparison.Ordinal);
        int sessionStart = line.IndexOf("\"session_id\"", StringComparison.Ordinal);
        int sessionEnd = sessionStart < 0 ? -1 : line.IndexOf("\"country\"", sessionStart, StringComparison.Ordinal);
        return idEnd < 0 || sessionEnd < 0 ? line : line[idEnd..sessionStart] + line[sessionEnd..];
    }
}
