using System.Buffers;

namespace Pulse.Log;

/// <summary>
/// A reusable batch of records read from the log: one pooled byte buffer the reader reads file
/// bytes into, and per record its offset, timestamp and payload slice. Payload spans are valid
/// until the next read into the batch.
/// </summary>
public sealed class LogRecordBatch : IDisposable
{
    public const int DefaultBufferBytes = 256 * 1024;

    private byte[] _buffer;
    private long[] _offsets;
    private long[] _timestamps;
    private int[] _starts;
    private int[] _lengths;

    public LogRecordBatch(int bufferBytes = DefaultBufferBytes, int initialRecords = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferBytes, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(initialRecords, 1);
        _buffer = ArrayPool<byte>.Shared.Rent(bufferBytes);
        _offsets = new long[initialRecords];
        _timestamps = new long[initialRecords];
        _starts = new int[initialRecords];
        _lengths = new int[initialRecords];
    }

    public int Count { get; private set; }

    internal int BufferCapacity => _buffer.Length;

    internal Span<byte> Buffer => _buffer;

    public long GetOffset(int index) => _offsets[CheckIndex(index)];

    public long GetTimestamp(int index) => _timestamps[CheckIndex(index)];

    public ReadOnlySpan<byte> GetPayload(int index)
    {
        int i = CheckIndex(index);
        return _buffer.AsSpan(_starts[i], _lengths[i]);
    }

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        Count = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal void Clear() => Count = 0;

    internal void Add(long offset, long timestampMs, int payloadStart, int payloadLength)
    {
        if (Count == _offsets.Length)
        {
            int size = Count * 2;
            Array.Resize(ref _offsets, size);
            Array.Resize(ref _timestamps, size);
            Array.Resize(ref _starts, size);
            Array.Resize(ref _lengths, size);
        }

        _offsets[Count] = offset;
        _timestamps[Count] = timestampMs;
        _starts[Count] = payloadStart;
        _lengths[Count] = payloadLength;
        Count++;
    }

    /// <summary>Makes room for one record larger than the buffer; only while the batch is empty.</summary>
    internal void GrowBuffer(int bytes)
    {
        if (bytes <= _buffer.Length)
        {
            return;
        }

        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = ArrayPool<byte>.Shared.Rent(bytes);
    }

    private int CheckIndex(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        return index;
    }
}
