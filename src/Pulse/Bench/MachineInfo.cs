using System.Globalization;
using System.Runtime.InteropServices;

namespace Pulse.Bench;

/// <summary>What the figures were measured on.</summary>
internal sealed record MachineInfo(int Cores, double MemoryGb, string Os, string Dotnet)
{
    public static MachineInfo Current() => new(
        Environment.ProcessorCount,
        Math.Round(TotalMemoryBytes() / (1024.0 * 1024 * 1024), 1),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription);

    private static long TotalMemoryBytes()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                {
                    return long.Parse(line["MemTotal:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }
}
