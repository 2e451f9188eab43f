using System.Globalization;

namespace Pulse.Tests.Reliability;

/// <summary>A process's resident memory, open file descriptors and threads, read from /proc.</summary>
internal readonly record struct ProcessFigures(long RssBytes, int OpenFiles, int Threads)
{
    public static ProcessFigures Read(int pid)
    {
        long rss = 0;
        int threads = 0;
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.AsSpan(8).Trim(), CultureInfo.InvariantCulture);
            }
        }

        return new ProcessFigures(rss, Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length, threads);
    }
}
