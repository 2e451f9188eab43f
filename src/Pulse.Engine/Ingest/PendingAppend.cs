namespace Pulse.Ingest;

/// <summary>
/// A batch copied into the partition logs but not yet durable (<see cref="IngestPipeline.BeginAppendAsync"/>).
/// <see cref="DurableAsync"/> must be awaited exactly once: it completes when every appended event
/// is fsynced, and only then may the batch be acknowledged.
/// </summary>
public sealed class PendingAppend
{
    private readonly IngestPipeline _pipeline;
    private readonly List<(int Partition, Task Task, int FirstId, int IdCount)> _durable;
    private readonly ulong[] _appendedIds;
    private readonly int _accepted;
    private readonly int _duplicates;
    private readonly long _appending;
    private int _awaited;

    internal PendingAppend(IngestPipeline pipeline, List<(int Partition, Task Task, int FirstId, int IdCount)> durable, ulong[] appendedIds, int accepted, int duplicates, long appending)
    {
        _pipeline = pipeline;
        _durable = durable;
        _appendedIds = appendedIds;
        _accepted = accepted;
        _duplicates = duplicates;
        _appending = appending;
    }

    /// <summary>Completes when the batch is durable; throws <see cref="IngestUnavailableException"/> when it could not be written.</summary>
    public Task<IngestResult> DurableAsync()
    {
        if (Interlocked.Exchange(ref _awaited, 1) != 0)
        {
            throw new InvalidOperationException("DurableAsync may be awaited once: it returns the batch's pooled buffers.");
        }

        return _pipeline.CompleteAsync(_durable, _appendedIds, _accepted, _duplicates, _appending);
    }
}
