using System.Globalization;

namespace Pulse.Tests.Reliability;

/// <summary>
/// A process's resident memory from <c>/proc/&lt;pid&gt;/status</c>: <c>VmRSS</c> now and <c>VmHWM</c>,
/// the kernel's own high-water mark, so a peak between two samples is not missed.
/// </summary>
internal static class ProcessMemory
{
    public static long RssBytes(int pid) => Read(pid, "VmRSS:") * 1024;

    public static long PeakRssBytes(int pid) => Read(pid, "VmHWM:") * 1024;

    public static long Threads(int pid) => Read(pid, "Threads:");

    public static int OpenFileDescriptors(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;

    public static string Megabytes(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.0", CultureInfo.InvariantCulture) + " MB";

    private static long Read(int pid, string key)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                // "VmRSS:	  187024 kB", "Threads:	42"
                return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"{key} not found in /proc/{pid}/status");
    }
}
