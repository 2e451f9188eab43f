using System.Buffers;

namespace Pulse.Ingest.Segment;

/// <summary>
/// A growable <see cref="IBufferWriter{T}"/> over a pooled array, reused across requests, that can
/// also be cut back — how a half-written event is taken out again when it turns out to be invalid.
/// </summary>
internal sealed class PooledBufferWriter(int initialCapacity) : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public int Capacity => _buffer.Length;

    public void Clear() => Length = 0;

    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, (uint)Length, nameof(length));
        Length = length;
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)count, (uint)(_buffer.Length - Length), nameof(count));
        Length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureFree(sizeHint);
        return _buffer.AsMemory(Length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureFree(sizeHint);
        return _buffer.AsSpan(Length);
    }

    public void Append(byte value)
    {
        EnsureFree(1);
        _buffer[Length++] = value;
    }

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        Length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void EnsureFree(int sizeHint)
    {
        int size = Math.Max(sizeHint, 256);
        if (_buffer.Length - Length >= size)
        {
            return;
        }

        long wanted = Math.Max((long)_buffer.Length * 2, (long)Length + size);
        byte[] grown = ArrayPool<byte>.Shared.Rent((int)Math.Min(wanted, Array.MaxLength));
        _buffer.AsSpan(0, Length).CopyTo(grown);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = grown;
    }
}
