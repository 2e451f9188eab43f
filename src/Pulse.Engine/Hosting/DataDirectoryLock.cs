namespace Pulse.Hosting;

/// <summary>
/// An exclusive lock on a data directory (<c>.lock</c>, held open for the process's life), so two
/// Pulse processes — two servers, or a server and <c>pulse replay</c> — never write one log and
/// store at once. The operating system releases it when the process ends, also after <c>kill -9</c>.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    /// <exception cref="InvalidOperationException">Another process holds the directory.</exception>
    public static DataDirectoryLock Acquire(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        string path = Path.Combine(dataDirectory, ".lock");
        try
        {
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            file.SetLength(0);
            using (var writer = new StreamWriter(file, leaveOpen: true))
            {
                writer.Write(Environment.ProcessId);
            }

            file.Flush();
            return new DataDirectoryLock(file);
        }
        catch (IOException ex)
        {
            string holder = TryRead(path);
            throw new InvalidOperationException(
                $"The data directory {dataDirectory} is in use by another Pulse process{(holder.Length > 0 ? $" (pid {holder})" : "")}; stop it first, or use another --data.", ex);
        }
    }

    public void Dispose() => _file.Dispose();

    private static string TryRead(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd().Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }
}
