using System.Buffers;
using System.Buffers.Binary;

namespace Pulse.Analytics;

/// <summary>Little-endian writes of checkpointed analytics state into a buffer.</summary>
public readonly struct StateWriter(IBufferWriter<byte> buffer)
{
    public void Int64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(buffer.GetSpan(8), value);
        buffer.Advance(8);
    }

    public void UInt64(ulong value) => Int64(unchecked((long)value));

    public void Int32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer.GetSpan(4), value);
        buffer.Advance(4);
    }

    public void Bool(bool value)
    {
        buffer.GetSpan(1)[0] = value ? (byte)1 : (byte)0;
        buffer.Advance(1);
    }

    /// <summary>A length-prefixed byte string; null is written as length −1.</summary>
    public void Bytes(ReadOnlySpan<byte> value, bool isNull = false)
    {
        Int32(isNull ? -1 : value.Length);
        value.CopyTo(buffer.GetSpan(value.Length));
        buffer.Advance(value.Length);
    }

    public IBufferWriter<byte> Buffer => buffer;
}

/// <summary>Reads what <see cref="StateWriter"/> wrote; a short or inconsistent input throws <see cref="InvalidDataException"/>.</summary>
public ref struct StateReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;

    public int Position { get; set; }

    public readonly bool AtEnd => Position == _data.Length;

    /// <summary>All of the input (for readers of nested formats that take a span and a position).</summary>
    public readonly ReadOnlySpan<byte> Data => _data;

    public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public ulong UInt64() => unchecked((ulong)Int64());

    public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public bool Bool() => Take(1)[0] != 0;

    /// <summary>A count that must be between 0 and <paramref name="max"/>.</summary>
    public int Count(int max)
    {
        int n = Int32();
        return n < 0 || n > max ? throw new InvalidDataException($"Analytics state holds a count of {n}, outside 0..{max}.") : n;
    }

    public byte[]? Bytes()
    {
        int length = Int32();
        return length == -1 ? null : Take(length).ToArray();
    }

    public ReadOnlySpan<byte> Take(int length)
    {
        if (length < 0 || Position + length > _data.Length)
        {
            throw new InvalidDataException("Analytics state ends early.");
        }

        ReadOnlySpan<byte> slice = _data.Slice(Position, length);
        Position += length;
        return slice;
    }
}
