using System.Buffers;
using System.Buffers.Binary;
using Pulse.Events;

namespace Pulse.Processing.State;

/// <summary>
/// Persisted form: <c>[version][kind]</c>, then for sparse a uint32 entry count followed by the sorted
/// entries as LEB128 varint deltas, or for dense the 2^14 registers packed 6 bits each (12 KB); then a
/// CRC-32C of everything before it. Every field is validated, so corrupt input raises
/// <see cref="InvalidDataException"/> and never reaches the registers.
/// </summary>
public sealed partial class HyperLogLog
{
    internal const byte FormatVersion = 1;
    internal const byte SparseKind = 1;
    internal const byte DenseKind = 2;
    private const int HeaderSize = 2;
    private const int SparseCountSize = sizeof(uint);
    private const int ChecksumSize = sizeof(uint);
    private const int PackedDenseSize = RegisterCount / 4 * 3;
    internal const int DenseSerializedSize = HeaderSize + PackedDenseSize + ChecksumSize;
    private const uint MaxSparseEntryValue = ((1u << SparsePrecision) - 1) << RankBits | MaxSparseRank;

    /// <summary>Exact number of bytes <see cref="Serialize"/> writes (a sparse sketch sorts a copy of its entries to know).</summary>
    public int SerializedSize
    {
        get
        {
            if (_registers is not null)
            {
                return DenseSerializedSize;
            }

            uint[] sorted = ArrayPool<uint>.Shared.Rent(Math.Max(_sparseCount, 1));
            try
            {
                int size = HeaderSize + SparseCountSize + ChecksumSize;
                uint previous = 0;
                foreach (uint entry in sorted.AsSpan(0, CopySortedEntries(sorted)))
                {
                    size += VarintLength(entry - previous);
                    previous = entry;
                }

                return size;
            }
            finally
            {
                ArrayPool<uint>.Shared.Return(sorted);
            }
        }
    }

    /// <summary>
    /// An upper bound of <see cref="SerializedSize"/> that costs nothing to compute (a varint delta
    /// takes at most 5 bytes): size the destination with it to serialize with one sort, not two.
    /// </summary>
    public int MaxSerializedSize => _registers is not null
        ? DenseSerializedSize
        : HeaderSize + SparseCountSize + (_sparseCount * 5) + ChecksumSize;

    /// <summary>Writes the sketch and returns the byte count, which equals <see cref="SerializedSize"/>.</summary>
    public int Serialize(Span<byte> destination)
    {
        if (_registers is { } registers)
        {
            EnsureRoom(destination, DenseSerializedSize);
            destination[0] = FormatVersion;
            destination[1] = DenseKind;
            PackRegisters(registers, destination.Slice(HeaderSize, PackedDenseSize));
            return WriteChecksum(destination, DenseSerializedSize);
        }

        uint[] sorted = ArrayPool<uint>.Shared.Rent(Math.Max(_sparseCount, 1));
        try
        {
            ReadOnlySpan<uint> entries = sorted.AsSpan(0, CopySortedEntries(sorted));
            int size = HeaderSize + SparseCountSize + ChecksumSize;
            uint previous = 0;
            foreach (uint entry in entries)
            {
                size += VarintLength(entry - previous);
                previous = entry;
            }

            EnsureRoom(destination, size);
            destination[0] = FormatVersion;
            destination[1] = SparseKind;
            BinaryPrimitives.WriteUInt32LittleEndian(destination[HeaderSize..], (uint)entries.Length);
            int position = HeaderSize + SparseCountSize;
            previous = 0;
            foreach (uint entry in entries)
            {
                position += WriteVarint(destination[position..], entry - previous);
                previous = entry;
            }

            return WriteChecksum(destination, size);
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(sorted);
        }
    }

    public static HyperLogLog Deserialize(ReadOnlySpan<byte> serialized)
    {
        var sketch = new HyperLogLog();
        if (ReadKind(serialized) == DenseKind)
        {
            var registers = new byte[RegisterCount];
            ReadDense(serialized, registers);
            sketch._registers = registers;
            return sketch;
        }

        int count = ReadSparseCount(serialized);
        uint[] entries = ArrayPool<uint>.Shared.Rent(Math.Max(count, 1));
        try
        {
            ReadSparse(serialized, entries.AsSpan(0, count));
            var slots = new uint[SparseSlotsFor(count)];
            foreach (uint entry in entries.AsSpan(0, count))
            {
                InsertNew(slots, entry);
            }

            sketch._sparse = slots;
            sketch._sparseCount = count;
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(entries);
        }

        return sketch;
    }

    /// <summary>Merges a serialized sketch into <paramref name="target"/> without materialising it; <paramref name="target"/> is untouched if the input is invalid.</summary>
    public static void MergeInto(HyperLogLog target, ReadOnlySpan<byte> serialized)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (ReadKind(serialized) == DenseKind)
        {
            byte[] registers = ArrayPool<byte>.Shared.Rent(RegisterCount);
            try
            {
                Span<byte> source = registers.AsSpan(0, RegisterCount);
                ReadDense(serialized, source);
                MaxInto(target.EnsureDense(), source);
                target._cachedEstimate = -1;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(registers);
            }

            return;
        }

        int count = ReadSparseCount(serialized);
        uint[] entries = ArrayPool<uint>.Shared.Rent(Math.Max(count, 1));
        try
        {
            Span<uint> decoded = entries.AsSpan(0, count);
            ReadSparse(serialized, decoded);
            target.MergeSparseEntries(decoded);
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(entries);
        }
    }

    /// <summary>Checks length, version and checksum, and returns the kind byte.</summary>
    private static byte ReadKind(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderSize + ChecksumSize)
        {
            throw Corrupt($"{data.Length} bytes is shorter than any serialized sketch");
        }

        if (data[0] != FormatVersion)
        {
            throw Corrupt($"unsupported format version {data[0]}");
        }

        int bodyLength = data.Length - ChecksumSize;
        if (Crc32C.Compute(data[..bodyLength]) != BinaryPrimitives.ReadUInt32LittleEndian(data[bodyLength..]))
        {
            throw Corrupt("checksum mismatch");
        }

        byte kind = data[1];
        if (kind == DenseKind && data.Length != DenseSerializedSize)
        {
            throw Corrupt($"dense sketch of {data.Length} bytes, expected {DenseSerializedSize}");
        }

        if (kind == SparseKind && data.Length < HeaderSize + SparseCountSize + ChecksumSize)
        {
            throw Corrupt("sparse sketch without an entry count");
        }

        return kind is DenseKind or SparseKind ? kind : throw Corrupt($"unknown sketch kind {kind}");
    }

    private static int ReadSparseCount(ReadOnlySpan<byte> data)
    {
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(data[HeaderSize..]);
        return count <= SparseMaxEntries ? (int)count : throw Corrupt($"sparse entry count {count} exceeds {SparseMaxEntries}");
    }

    private static void ReadSparse(ReadOnlySpan<byte> data, Span<uint> entries)
    {
        ReadOnlySpan<byte> body = data[..^ChecksumSize];
        int position = HeaderSize + SparseCountSize;
        uint previous = 0;
        for (int k = 0; k < entries.Length; k++)
        {
            uint delta = ReadVarint(body, ref position);
            ulong next = (ulong)previous + delta;
            if (delta == 0 || next > MaxSparseEntryValue)
            {
                throw Corrupt($"sparse entry {k} is out of order or out of range");
            }

            uint entry = (uint)next;
            uint rank = entry & RankMask;
            if (rank == 0 || rank > MaxSparseRank || (k > 0 && (entry >> RankBits) == (previous >> RankBits)))
            {
                throw Corrupt($"sparse entry {k} has an invalid rank or a repeated index");
            }

            entries[k] = entry;
            previous = entry;
        }

        if (position != body.Length)
        {
            throw Corrupt($"{body.Length - position} unexpected bytes after the sparse entries");
        }
    }

    private static void ReadDense(ReadOnlySpan<byte> data, Span<byte> registers)
    {
        ReadOnlySpan<byte> packed = data.Slice(HeaderSize, PackedDenseSize);
        for (int r = 0, p = 0; r < RegisterCount; r += 4, p += 3)
        {
            uint bits = packed[p] | ((uint)packed[p + 1] << 8) | ((uint)packed[p + 2] << 16);
            for (int k = 0; k < 4; k++)
            {
                uint rank = (bits >> (6 * k)) & 0x3F;
                if (rank > MaxDenseRank)
                {
                    throw Corrupt($"register {r + k} holds rank {rank} above {MaxDenseRank}");
                }

                registers[r + k] = (byte)rank;
            }
        }
    }

    private static void PackRegisters(ReadOnlySpan<byte> registers, Span<byte> packed)
    {
        for (int r = 0, p = 0; r < RegisterCount; r += 4, p += 3)
        {
            uint bits = registers[r] | ((uint)registers[r + 1] << 6) | ((uint)registers[r + 2] << 12) | ((uint)registers[r + 3] << 18);
            packed[p] = (byte)bits;
            packed[p + 1] = (byte)(bits >> 8);
            packed[p + 2] = (byte)(bits >> 16);
        }
    }

    private static void EnsureRoom(Span<byte> destination, int size)
    {
        if (destination.Length < size)
        {
            throw new ArgumentException($"Destination holds {destination.Length} bytes; the sketch needs {size}.", nameof(destination));
        }
    }

    private static int WriteChecksum(Span<byte> destination, int size)
    {
        int bodyLength = size - ChecksumSize;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[bodyLength..], Crc32C.Compute(destination[..bodyLength]));
        return size;
    }

    private static int VarintLength(uint value)
    {
        int length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }

        return length;
    }

    private static int WriteVarint(Span<byte> destination, uint value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    private static uint ReadVarint(ReadOnlySpan<byte> body, ref int position)
    {
        uint value = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            if (position >= body.Length)
            {
                throw Corrupt("sparse entries end mid-varint");
            }

            byte b = body[position++];
            if (shift == 28 && b > 0x0F)
            {
                throw Corrupt("sparse varint overflows 32 bits");
            }

            value |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw Corrupt("sparse varint overflows 32 bits");
    }

    private static InvalidDataException Corrupt(string reason) => new($"Invalid serialized HyperLogLog: {reason}.");
}
