using System.Buffers;

namespace Pulse.Ingest;

/// <summary>
/// A growable byte buffer rented from <see cref="ArrayPool{T}"/> and reused across events, so the
/// parser's steady state allocates nothing. Callers keep offsets, never spans, across appends,
/// because growing moves the bytes.
/// </summary>
internal sealed class ScratchBuffer : IDisposable
{
    private byte[] _buffer;

    public ScratchBuffer(int initialCapacity) => _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public int Capacity => _buffer.Length;

    public void Clear() => Length = 0;

    /// <summary>Room for at least <paramref name="size"/> bytes after <see cref="Length"/>; nothing is committed until <see cref="Advance"/>.</summary>
    public Span<byte> GetSpan(int size)
    {
        EnsureFree(size);
        return _buffer.AsSpan(Length);
    }

    public void Advance(int count) => Length += count;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        EnsureFree(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(Length));
        Length += bytes.Length;
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

    private void EnsureFree(int size)
    {
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
