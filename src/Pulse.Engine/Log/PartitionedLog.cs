using Microsoft.Extensions.Logging;
using Pulse.Hosting;
using Pulse.Log.Internal;

namespace Pulse.Log;

/// <summary>The embedded log: one <see cref="PartitionLog"/> per partition under <c>&lt;dataDir&gt;/log</c>.</summary>
public sealed class PartitionedLog : IAsyncDisposable
{
    private readonly PartitionLog[] _partitions;

    private PartitionedLog(string directory, PartitionLog[] partitions)
    {
        Directory = directory;
        _partitions = partitions;
    }

    public string Directory { get; }

    public int Count => _partitions.Length;

    public PartitionLog this[int partition] => _partitions[partition];

    /// <summary>
    /// Opens or creates the log under <c>&lt;dataDirectory&gt;/log</c>, recovering every partition.
    /// <paramref name="partitions"/> 0 takes the stored count (or two per core for a new log);
    /// any other count must match the stored one.
    /// </summary>
    public static PartitionedLog Open(string dataDirectory, int partitions, LogOptions options, TimeProvider clock, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentOutOfRangeException.ThrowIfNegative(partitions);
        string directory = Path.Combine(dataDirectory, "log");
        System.IO.Directory.CreateDirectory(directory);
        FileSync.Directory(dataDirectory);
        int count = LogMetadata.Resolve(directory, partitions);
        ILogger logger = loggers.CreateLogger<PartitionLog>();
        PartitionLog[] logs = new PartitionLog[count];
        try
        {
            for (int p = 0; p < count; p++)
            {
                logs[p] = PartitionLog.Open(LogMetadata.PartitionDirectory(directory, p), p, options, clock, logger);
            }
        }
        catch
        {
            foreach (PartitionLog? opened in logs)
            {
                opened?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            throw;
        }

        return new PartitionedLog(directory, logs);
    }

    public async ValueTask DisposeAsync()
    {
        Task[] closing = new Task[_partitions.Length];
        for (int p = 0; p < _partitions.Length; p++)
        {
            closing[p] = _partitions[p].DisposeAsync().AsTask();
        }

        await Task.WhenAll(closing).ConfigureAwait(false);
    }
}
