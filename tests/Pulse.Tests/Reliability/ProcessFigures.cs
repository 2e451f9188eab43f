namespace Pulse.Tests.Reliability;

/// <summary>
/// A process's resident memory, descriptors and threads, read from /proc. Sockets are counted apart
/// from files: how many connections a server holds follows its clients, not a leak.
/// </summary>
internal readonly record struct ProcessFigures(long RssBytes, int OpenFiles, int Sockets, int Threads)
{
    public static ProcessFigures Read(int pid)
    {
        int files = 0, sockets = 0;
        foreach (string fd in Directory.GetFileSystemEntries($"/proc/{pid}/fd"))
        {
            string? target = null;
            try
            {
                target = new FileInfo(fd).LinkTarget;
            }
            catch (IOException)
            {
                // Closed between the listing and the read.
            }

            if (target is null)
            {
                continue;
            }

            if (target.StartsWith("socket:", StringComparison.Ordinal))
            {
                sockets++;
            }
            else
            {
                files++;
            }
        }

        return new ProcessFigures(ProcessMemory.RssBytes(pid), files, sockets, (int)ProcessMemory.Threads(pid));
    }
}
