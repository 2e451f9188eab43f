using System.Diagnostics;
using System.Globalization;

namespace Pulse.Tests.Reliability;

/// <summary>
/// Queries the server at a steady pace from its own process (curl, one kept-alive connection),
/// as a dashboard user would: the latencies then include the server's scheduling, not the test
/// process's, whose thread pool is busy offering the load.
/// </summary>
internal static class QueryProbe
{
    /// <summary>GETs <paramref name="paths"/> in turn, <paramref name="perSecond"/> a second for <paramref name="duration"/>; latencies in ms.</summary>
    public static async Task<List<double>> RunAsync(Uri server, string[] paths, int perSecond, TimeSpan duration)
    {
        int count = (int)(perSecond * duration.TotalSeconds);
        var info = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])["--silent", "--show-error", "--fail", "--rate", $"{perSecond}/s", "--write-out", "%{time_total}\n"])
        {
            info.ArgumentList.Add(arg);
        }

        for (int i = 0; i < count; i++)
        {
            info.ArgumentList.Add("--output");
            info.ArgumentList.Add("/dev/null");
            info.ArgumentList.Add(new Uri(server, paths[i % paths.Length]).ToString());
        }

        using Process curl = Process.Start(info)!;
        Task<string> stderr = curl.StandardError.ReadToEndAsync();
        string output = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();
        Assert.True(curl.ExitCode == 0, $"a query failed (curl exit {curl.ExitCode}): {await stderr}");
        var latencies = new List<double>(count);
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            latencies.Add(double.Parse(line, CultureInfo.InvariantCulture) * 1000);
        }

        Assert.Equal(count, latencies.Count);
        return latencies;
    }

    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }
}
