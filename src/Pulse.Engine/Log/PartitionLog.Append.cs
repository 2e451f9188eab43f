using System.Buffers;
using Pulse.Events;
using Pulse.Log.Internal;

namespace Pulse.Log;

public sealed partial class PartitionLog
{
    private const int StackCrcCount = 128;

    private readonly Lock _appendLock = new();
    private PendingBuffer _filling;
    private PendingBuffer? _spare;
    private long _nextOffset;
    private long _lastTimestamp = long.MinValue;
    private long _pendingBytes;
    private bool _closed;
    private volatile Exception? _unavailable;
    private TaskCompletionSource<bool>? _roomSignal;

    /// <summary>True while the bytes waiting for disk are below <see cref="Hosting.LogOptions.MaxPendingBytes"/>.</summary>
    public bool HasRoom => Volatile.Read(ref _pendingBytes) < _options.MaxPendingBytes;

    /// <summary>
    /// Copies each payload (a slice of <paramref name="buffer"/>) into the pending buffer as one
    /// record, with consecutive offsets and the current time. Never does I/O: the returned ticket's
    /// task completes when the flusher has fsynced them. Thread-safe.
    /// </summary>
    /// <exception cref="LogFullException">Too many bytes are waiting for disk.</exception>
    /// <exception cref="LogUnavailableException">A write failed and could not be undone.</exception>
    public AppendTicket Append(ReadOnlySpan<byte> buffer, ReadOnlySpan<FieldSlice> payloads)
    {
        int count = payloads.Length;
        if (count == 0)
        {
            throw new ArgumentException("At least one payload is required.", nameof(payloads));
        }

        // The payload CRCs are the expensive part of framing; hashing them before taking the lock
        // keeps the critical section to copies and two CRC steps per record.
        uint[]? rented = null;
        Span<uint> crcs = count <= StackCrcCount
            ? stackalloc uint[StackCrcCount]
            : (rented = ArrayPool<uint>.Shared.Rent(count));
        try
        {
            long totalBytes = 0;
            for (int i = 0; i < count; i++)
            {
                FieldSlice slice = payloads[i];
                ReadOnlySpan<byte> payload = buffer.Slice(slice.Start, slice.Length);
                if (payload.Length > LogRecordFormat.MaxPayloadBytes)
                {
                    throw new ArgumentException($"A payload of {payload.Length} bytes is over the limit of {LogRecordFormat.MaxPayloadBytes}.", nameof(payloads));
                }

                crcs[i] = LogRecordFormat.PayloadCrc(payload);
                totalBytes += LogRecordFormat.HeaderSize + payload.Length;
            }

            if (totalBytes > int.MaxValue / 2)
            {
                throw new ArgumentException($"One append of {totalBytes} bytes is too large; split it.", nameof(payloads));
            }

            long now = NowMs();
            long first;
            bool wakeFlusher;
            Task durable;
            lock (_appendLock)
            {
                ObjectDisposedException.ThrowIf(_closed, this);
                if (_unavailable is { } error)
                {
                    throw new LogUnavailableException($"Log partition {Partition} refuses appends after a write failure: {error.Message}", error);
                }

                // Checked before adding, like HasRoom: one append may overshoot the limit by its own size,
                // so a caller that saw room never fails, and no append is too large to ever fit.
                long pending = _pendingBytes;
                if (pending >= _options.MaxPendingBytes)
                {
                    throw new LogFullException(Partition, pending, _options.MaxPendingBytes);
                }

                // Arrival time never goes backwards within a partition, so time lookups can binary-search.
                long timestamp = Math.Max(now, _lastTimestamp);
                _lastTimestamp = timestamp;
                first = _nextOffset;

                PendingBuffer target = _filling;
                wakeFlusher = target.Cycle is null;
                if (wakeFlusher)
                {
                    target.Cycle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    target.FirstOffset = first;
                }

                Span<byte> destination = target.Reserve((int)totalBytes);
                int pos = 0;
                for (int i = 0; i < count; i++)
                {
                    FieldSlice slice = payloads[i];
                    long offset = first + i;
                    LogRecordFormat.WriteHeader(destination[pos..], slice.Length, LogRecordFormat.RecordCrc(crcs[i], offset, timestamp), offset, timestamp);
                    buffer.Slice(slice.Start, slice.Length).CopyTo(destination[(pos + LogRecordFormat.HeaderSize)..]);
                    pos += LogRecordFormat.HeaderSize + slice.Length;
                }

                target.RecordCount += count;
                _nextOffset = first + count;
                Volatile.Write(ref _pendingBytes, pending + totalBytes);
                durable = target.Cycle!.Task;
            }

            if (wakeFlusher)
            {
                _flushWanted.Set();
            }

            return new AppendTicket(first, first + count - 1, durable);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<uint>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Waits until <see cref="HasRoom"/>; false when <paramref name="timeout"/> passed first.</summary>
    public async ValueTask<bool> WaitForRoomAsync(TimeSpan timeout, CancellationToken ct)
    {
        long deadline = _clock.GetTimestamp() + (long)(timeout.TotalSeconds * _clock.TimestampFrequency);
        while (true)
        {
            Task<bool> signal;
            lock (_appendLock)
            {
                ObjectDisposedException.ThrowIf(_closed, this);
                if (_pendingBytes < _options.MaxPendingBytes)
                {
                    return true;
                }

                _roomSignal ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                signal = _roomSignal.Task;
            }

            TimeSpan remaining = _clock.GetElapsedTime(_clock.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero)
            {
                return false;
            }

            try
            {
                await signal.WaitAsync(remaining, _clock, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return HasRoom;
            }
        }
    }
}
