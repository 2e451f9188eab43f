using System.Diagnostics;

namespace Pulse.Tests.EndToEnd;

/// <summary>A seeded workload written by <c>pulse generate --out</c>, read back line by line.</summary>
internal sealed class Workload
{
    private Workload(List<TruthEvent> events) => Events = events;

    public List<TruthEvent> Events { get; }

    public long MinTs => Events.Min(e => e.Ts);
    public long MaxTs => Events.Max(e => e.Ts);

    public static async Task<Workload> GenerateAsync(string directory, int seed, int count, long startMs, int users = 2000, double lateShare = 0.01)
    {
        string file = Path.Combine(directory, $"workload-{seed}.ndjson");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in (string[])[RepoPaths.PulseDll, "generate", "--out", file, "--seed", seed.ToString(Inv), "--count", count.ToString(Inv),
            "--start", startMs.ToString(Inv), "--users", users.ToString(Inv), "--rate", "500", "--late-share", lateShare.ToString(Inv), "--json"])
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"generate failed: {await stderr}{await stdout}");
        var events = new List<TruthEvent>(count);
        foreach (string line in await File.ReadAllLinesAsync(file))
        {
            if (line.Length > 0)
            {
                events.Add(TruthEvent.Parse(line));
            }
        }

        return new Workload(events);
    }

    /// <summary>Batches of NDJSON bodies in generation order.</summary>
    public List<(int Index, string Body, List<TruthEvent> Events)> Batches(int size)
    {
        var batches = new List<(int, string, List<TruthEvent>)>();
        for (int i = 0; i < Events.Count; i += size)
        {
            List<TruthEvent> slice = Events.GetRange(i, Math.Min(size, Events.Count - i));
            batches.Add((batches.Count, string.Join('\n', slice.Select(e => e.Line)) + "\n", slice));
        }

        return batches;
    }

    private static readonly IFormatProvider Inv = System.Globalization.CultureInfo.InvariantCulture;
}
