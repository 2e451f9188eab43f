using System.Globalization;

namespace Pulse.Bench;

/// <summary>Reads a process's CPU time and resident memory from /proc (Linux); zero elsewhere.</summary>
internal static class ProcessStats
{
    /// <summary>Clock ticks per second of /proc/&lt;pid&gt;/stat; 100 on every Linux this runs on (USER_HZ).</summary>
    private const double TicksPerSecond = 100;

    /// <summary>User plus system CPU seconds the process has used.</summary>
    public static double CpuSeconds(int pid)
    {
        string? stat = TryRead($"/proc/{pid}/stat");
        return stat is null ? 0 : ParseCpuSeconds(stat);
    }

    /// <summary>utime + stime from a /proc/&lt;pid&gt;/stat line (fields 14 and 15, counted after the parenthesised name).</summary>
    internal static double ParseCpuSeconds(string stat)
    {
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state), so utime (14) is fields[11] and stime (15) fields[12].
        long utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        long stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (utime + stime) / TicksPerSecond;
    }

    /// <summary>VmRSS in bytes, or 0 when unknown.</summary>
    public static long ResidentBytes(int pid)
    {
        string? status = TryRead($"/proc/{pid}/status");
        if (status is null)
        {
            return 0;
        }

        foreach (string line in status.Split('\n'))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                string kilobytes = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
