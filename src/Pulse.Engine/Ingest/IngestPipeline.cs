using System.Buffers;
using System.Diagnostics;
using Pulse.Events;
using Pulse.Hosting;
using Pulse.Log;
using Pulse.Telemetry;

namespace Pulse.Ingest;

/// <summary>
/// The source side of the engine: routes parsed events to their partition (by user), drops
/// duplicates within the dedupe horizon, appends to the partition log, and completes only when
/// every appended event is fsynced. Dedupe and append share one short lock per partition so two
/// concurrent copies of an event cannot both be appended.
/// </summary>
public sealed class IngestPipeline
{
    private readonly PartitionedLog _log;
    private readonly DedupeWindow[] _dedupe;
    private readonly Lock[] _gates;
    private readonly LogOptions _options;
    private readonly FreeDiskGuard _disk;

    public IngestPipeline(PartitionedLog log, DedupeWindow[] dedupe, LogOptions options, TimeProvider clock)
    {
        _log = log;
        _dedupe = dedupe;
        _options = options;
        _disk = new FreeDiskGuard(log.Directory, options.MinFreeDiskBytes, clock);
        _gates = new Lock[log.Count];
        for (int i = 0; i < _gates.Length; i++)
        {
            _gates[i] = new Lock();
        }

        Accepted = new RateMeter(clock);
    }

    public RateMeter Accepted { get; }

    public long Duplicates => Interlocked.Read(ref _duplicates);

    private long _duplicates;

    public int DedupeEntries()
    {
        int total = 0;
        for (int p = 0; p < _dedupe.Length; p++)
        {
            lock (_gates[p])
            {
                total += _dedupe[p].Count;
            }
        }

        return total;
    }

    public TimeSpan EffectiveDedupeHorizon()
    {
        TimeSpan min = TimeSpan.MaxValue;
        for (int p = 0; p < _dedupe.Length; p++)
        {
            lock (_gates[p])
            {
                TimeSpan h = _dedupe[p].EffectiveHorizon;
                min = h < min ? h : min;
            }
        }

        return min;
    }

    /// <summary>Appends the batch and completes once every appended event is durable.</summary>
    public async ValueTask<IngestResult> AppendAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        PendingAppend pending = await BeginAppendAsync(batch, cancellationToken).ConfigureAwait(false);
        return await pending.DurableAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Routes, dedupes and copies the batch into the partition logs, and returns once the events are
    /// in the logs' write buffers — not yet durable: nothing may be acknowledged before
    /// <see cref="PendingAppend.DurableAsync"/> completes. The split lets the server's admission
    /// control count only the CPU-bound part, not the wait for the group commit.
    /// </summary>
    public async ValueTask<PendingAppend> BeginAppendAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        if (!_disk.HasRoom())
        {
            // Refused before anything is appended: a full disk must stop ingestion, never tear a write.
            throw new IngestUnavailableException(
                $"Only {_disk.FreeBytes >> 20} MiB are free on the data disk, under the floor of {_disk.MinFreeBytes >> 20} MiB (Pulse:Log:MinFreeDiskBytes); free space or lower the floor.",
                TimeSpan.FromSeconds(10));
        }

        int partitions = _log.Count;
        int n = batch.Count;
        int[] order = ArrayPool<int>.Shared.Rent(n);
        int[] starts = ArrayPool<int>.Shared.Rent(partitions + 1);
        FieldSlice[] slices = ArrayPool<FieldSlice>.Shared.Rent(n);
        ulong[] appendedIds = ArrayPool<ulong>.Shared.Rent(n);
        var durable = new List<(int Partition, Task Task, int FirstId, int IdCount)>(partitions);
        bool handedOver = false;
        try
        {
            Route(batch, partitions, order, starts);
            for (int p = 0; p < partitions; p++)
            {
                if (starts[p + 1] > starts[p] && !_log[p].HasRoom
                    && !await _log[p].WaitForRoomAsync(_options.AppendTimeout, cancellationToken).ConfigureAwait(false))
                {
                    throw new IngestUnavailableException($"The log of partition {p} is full; processing is behind.", TimeSpan.FromSeconds(1));
                }
            }

            long appending = Stopwatch.GetTimestamp();
            int accepted = 0, duplicates = 0, ids = 0;
            for (int p = 0; p < partitions; p++)
            {
                if (starts[p + 1] == starts[p])
                {
                    continue;
                }

                PartitionLog log = _log[p];
                lock (_gates[p])
                {
                    int count = 0, firstId = ids;
                    for (int k = starts[p]; k < starts[p + 1]; k++)
                    {
                        int i = order[k];
                        ref readonly EventHeader header = ref batch.GetHeader(i);
                        bool generated = (header.Flags & EventFlags.GeneratedEventId) != 0;
                        if (!generated && !_dedupe[p].TryAdd(header.EventIdHash, header.ArrivalTimeMs))
                        {
                            duplicates++;
                            continue;
                        }

                        if (!generated)
                        {
                            appendedIds[ids++] = header.EventIdHash;
                        }

                        slices[count++] = batch.GetSlice(i);
                    }

                    try
                    {
                        // An all-duplicate partition still waits for the log: the first copy may not be durable yet.
                        Task task = count > 0
                            ? log.Append(batch.Buffer, slices.AsSpan(0, count)).Durable
                            : log.WaitForDurableAsync(log.NextOffset - 1, CancellationToken.None);
                        durable.Add((p, task, firstId, ids - firstId));
                    }
                    catch (Exception ex) when (ex is LogFullException or LogUnavailableException)
                    {
                        Forget(p, appendedIds.AsSpan(firstId, ids - firstId));
                        throw new IngestUnavailableException(ex.Message, TimeSpan.FromSeconds(1), ex);
                    }

                    accepted += count;
                }
            }

            handedOver = true;
            return new PendingAppend(this, durable, appendedIds, accepted, duplicates, appending);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(order);
            ArrayPool<int>.Shared.Return(starts);
            ArrayPool<FieldSlice>.Shared.Return(slices);
            if (!handedOver)
            {
                ArrayPool<ulong>.Shared.Return(appendedIds);
            }
        }
    }

    /// <summary>Waits for the appends of one <see cref="BeginAppendAsync"/>, then records what was stored.</summary>
    internal async Task<IngestResult> CompleteAsync(List<(int Partition, Task Task, int FirstId, int IdCount)> durable, ulong[] appendedIds, int accepted, int duplicates, long appending)
    {
        try
        {
            await AwaitDurable(durable, appendedIds).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(appendedIds);
        }

        EngineInstruments.AppendSeconds.Record(Stopwatch.GetElapsedTime(appending).TotalSeconds);
        Accepted.Add(accepted);
        Interlocked.Add(ref _duplicates, duplicates);
        return new IngestResult(accepted, duplicates);
    }

    private async Task AwaitDurable(List<(int Partition, Task Task, int FirstId, int IdCount)> durable, ulong[] appendedIds)
    {
        Exception? failure = null;
        foreach ((int partition, Task task, int firstId, int idCount) in durable)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or LogUnavailableException or ObjectDisposedException or OperationCanceledException)
            {
                // Not durable means not acknowledged: the client will retry, and the retry must not look like a duplicate.
                Forget(partition, appendedIds.AsSpan(firstId, idCount));
                failure ??= ex;
            }
        }

        if (failure is not null)
        {
            throw new IngestUnavailableException("The log could not write the events: " + failure.Message, TimeSpan.FromSeconds(1), failure);
        }
    }

    private void Forget(int partition, ReadOnlySpan<ulong> ids)
    {
        lock (_gates[partition])
        {
            foreach (ulong id in ids)
            {
                _dedupe[partition].Forget(id);
            }
        }
    }

    /// <summary>Counting sort of event indexes by partition: one pass, no per-event allocation.</summary>
    private static void Route(EventBatch batch, int partitions, int[] order, int[] starts)
    {
        Array.Clear(starts, 0, partitions + 1);
        int n = batch.Count;
        for (int i = 0; i < n; i++)
        {
            starts[Hash64.Partition(batch.GetHeader(i).UserHash, partitions) + 1]++;
        }

        for (int p = 0; p < partitions; p++)
        {
            starts[p + 1] += starts[p];
        }

        Span<int> next = partitions <= 256 ? stackalloc int[partitions] : new int[partitions];
        starts.AsSpan(0, partitions).CopyTo(next);
        for (int i = 0; i < n; i++)
        {
            int p = Hash64.Partition(batch.GetHeader(i).UserHash, partitions);
            order[next[p]++] = i;
        }
    }
}
