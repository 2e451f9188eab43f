using System.Buffers;
using System.Buffers.Binary;
using Pulse.Events;

namespace Pulse.Processing.State;

/// <summary>
/// Persisted form: <c>[version]</c>, α (float64), bucket cap (int32), zero count (varint), sum, min,
/// max (float64), the occupied bucket range as zig-zag varint lowest index + varint width (0 when no
/// bucket is occupied), one varint count per bucket in the range, then a CRC-32C of everything before
/// it. Count is not stored: it is the zero count plus the bucket counts. Every field is validated, so
/// corrupt input raises <see cref="InvalidDataException"/>.
/// </summary>
public sealed partial class DDSketch
{
    internal const byte FormatVersion = 1;
    private const int MaxVarintLength = 10;
    private const int ChecksumSize = sizeof(uint);
    private const int FixedSize = 1 + sizeof(double) + sizeof(int) + (3 * sizeof(double)) + ChecksumSize;

    /// <summary>An upper bound of the bytes <see cref="Serialize(Span{byte})"/> writes.</summary>
    public int MaxSerializedSize => FixedSize + ((3 + BucketCount) * MaxVarintLength);

    /// <summary>Writes the sketch and returns the byte count.</summary>
    public int Serialize(Span<byte> destination)
    {
        int size = SerializedSizeOf();
        if (destination.Length < size)
        {
            throw new ArgumentException($"Destination holds {destination.Length} bytes; the sketch needs {size}.", nameof(destination));
        }

        destination[0] = FormatVersion;
        int position = 1;
        BinaryPrimitives.WriteDoubleLittleEndian(destination[position..], RelativeAccuracy);
        position += sizeof(double);
        BinaryPrimitives.WriteInt32LittleEndian(destination[position..], MaxBuckets);
        position += sizeof(int);
        position += WriteVarint(destination[position..], (ulong)_zeroCount);
        BinaryPrimitives.WriteDoubleLittleEndian(destination[position..], _sum);
        position += sizeof(double);
        BinaryPrimitives.WriteDoubleLittleEndian(destination[position..], _min);
        position += sizeof(double);
        BinaryPrimitives.WriteDoubleLittleEndian(destination[position..], _max);
        position += sizeof(double);
        int width = BucketCount;
        if (width == 0)
        {
            position += WriteVarint(destination[position..], 0);
            position += WriteVarint(destination[position..], 0);
        }
        else
        {
            position += WriteVarint(destination[position..], ZigZag(_minIndex));
            position += WriteVarint(destination[position..], (ulong)width);
            foreach (long bucketCount in _counts.AsSpan(_minIndex - _offset, width))
            {
                position += WriteVarint(destination[position..], (ulong)bucketCount);
            }
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination[position..], Crc32C.Compute(destination[..position]));
        return position + ChecksumSize;
    }

    /// <summary>Writes the sketch into <paramref name="writer"/> and returns the byte count.</summary>
    public int Serialize(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int written = Serialize(writer.GetSpan(MaxSerializedSize));
        writer.Advance(written);
        return written;
    }

    public static DDSketch Deserialize(ReadOnlySpan<byte> serialized)
    {
        if (serialized.Length < FixedSize + 3)
        {
            throw Corrupt($"{serialized.Length} bytes is shorter than any serialized sketch");
        }

        if (serialized[0] != FormatVersion)
        {
            throw Corrupt($"unsupported format version {serialized[0]}");
        }

        int bodyLength = serialized.Length - ChecksumSize;
        ReadOnlySpan<byte> body = serialized[..bodyLength];
        if (Crc32C.Compute(body) != BinaryPrimitives.ReadUInt32LittleEndian(serialized[bodyLength..]))
        {
            throw Corrupt("checksum mismatch");
        }

        int position = 1;
        double relativeAccuracy = BinaryPrimitives.ReadDoubleLittleEndian(body[position..]);
        position += sizeof(double);
        int maxBuckets = BinaryPrimitives.ReadInt32LittleEndian(body[position..]);
        position += sizeof(int);
        if (!(relativeAccuracy >= MinRelativeAccuracy && relativeAccuracy <= MaxRelativeAccuracy) || maxBuckets < MinMaxBuckets || maxBuckets > MaxMaxBuckets)
        {
            throw Corrupt($"relative accuracy {relativeAccuracy} or bucket cap {maxBuckets} out of range");
        }

        var sketch = new DDSketch(relativeAccuracy, maxBuckets);
        long zeroCount = ReadCount(body, ref position, "zero count");
        double sum = ReadDouble(body, ref position);
        double min = ReadDouble(body, ref position);
        double max = ReadDouble(body, ref position);
        long lowestIndex = UnZigZag(ReadVarint(body, ref position));
        ulong width = ReadVarint(body, ref position);
        if (width > (ulong)maxBuckets || lowestIndex + (long)width - 1 > int.MaxValue || lowestIndex < int.MinValue
            || (width == 0 && lowestIndex != 0))
        {
            throw Corrupt($"bucket range of {width} from {lowestIndex} is invalid for a cap of {maxBuckets}");
        }

        long total = zeroCount;
        if (width > 0)
        {
            sketch._counts = new long[(int)width];
            sketch._offset = (int)lowestIndex;
            for (int k = 0; k < (int)width; k++)
            {
                long bucketCount = ReadCount(body, ref position, "bucket count");
                if (bucketCount == 0 && (k == 0 || k == (int)width - 1))
                {
                    throw Corrupt("the lowest and highest buckets of the range must be occupied");
                }

                sketch._counts[k] = bucketCount;
                total = total + bucketCount < total ? throw Corrupt("total count overflows") : total + bucketCount;
            }

            sketch._minIndex = (int)lowestIndex;
            sketch._maxIndex = (int)(lowestIndex + (long)width - 1);
        }

        if (position != body.Length)
        {
            throw Corrupt($"{body.Length - position} unexpected bytes after the buckets");
        }

        ValidateSummary(sketch, zeroCount, total, sum, min, max);
        sketch._zeroCount = zeroCount;
        sketch._count = total;
        sketch._sum = sum;
        sketch._min = min;
        sketch._max = max;
        return sketch;
    }

    private static void ValidateSummary(DDSketch sketch, long zeroCount, long total, double sum, double min, double max)
    {
        if (total == 0)
        {
            if (sum != 0 || !double.IsPositiveInfinity(min) || !double.IsNegativeInfinity(max))
            {
                throw Corrupt("an empty sketch with a sum, min or max");
            }

            return;
        }

        if (!double.IsFinite(sum) || sum < 0 || !double.IsFinite(min) || !double.IsFinite(max) || min < 0 || min > max)
        {
            throw Corrupt($"sum {sum}, min {min} or max {max} is out of range");
        }

        bool hasBuckets = sketch.BucketCount > 0;
        if ((zeroCount > 0) != (min == 0) || hasBuckets != (max > 0) || (hasBuckets && sketch.IndexOf(max) != sketch._maxIndex))
        {
            throw Corrupt("min or max disagrees with the zero count or the buckets");
        }
    }

    private int SerializedSizeOf()
    {
        int size = FixedSize + VarintLength((ulong)_zeroCount);
        int width = BucketCount;
        if (width == 0)
        {
            return size + 2;
        }

        size += VarintLength(ZigZag(_minIndex)) + VarintLength((ulong)width);
        foreach (long bucketCount in _counts.AsSpan(_minIndex - _offset, width))
        {
            size += VarintLength((ulong)bucketCount);
        }

        return size;
    }

    private static double ReadDouble(ReadOnlySpan<byte> body, ref int position)
    {
        if (position + sizeof(double) > body.Length)
        {
            throw Corrupt("sketch ends mid-field");
        }

        double value = BinaryPrimitives.ReadDoubleLittleEndian(body[position..]);
        position += sizeof(double);
        return value;
    }

    private static long ReadCount(ReadOnlySpan<byte> body, ref int position, string field)
    {
        ulong value = ReadVarint(body, ref position);
        return value <= long.MaxValue ? (long)value : throw Corrupt($"{field} {value} overflows");
    }

    private static ulong ZigZag(int value) => (ulong)(uint)((value << 1) ^ (value >> 31));

    private static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    private static int VarintLength(ulong value)
    {
        int length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }

        return length;
    }

    private static int WriteVarint(Span<byte> destination, ulong value)
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

    private static ulong ReadVarint(ReadOnlySpan<byte> body, ref int position)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= body.Length)
            {
                throw Corrupt("sketch ends mid-varint");
            }

            byte b = body[position++];
            if (shift == 63 && b > 0x01)
            {
                throw Corrupt("varint overflows 64 bits");
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw Corrupt("varint overflows 64 bits");
    }

    private static InvalidDataException Corrupt(string reason) => new($"Invalid serialized DDSketch: {reason}.");
}
