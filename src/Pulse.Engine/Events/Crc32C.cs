using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pulse.Events;

/// <summary>
/// CRC-32C (Castagnoli) on the CPU's CRC instruction, eight bytes per step: the checksum of log
/// records, segment indexes and persisted sketches.
/// </summary>
internal static class Crc32C
{
    public const uint Seed = uint.MaxValue;

    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        ref byte start = ref MemoryMarshal.GetReference(data);
        int length = data.Length;
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            ulong chunk = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i));
            if (!BitConverter.IsLittleEndian)
            {
                chunk = BinaryPrimitives.ReverseEndianness(chunk);
            }

            crc = BitOperations.Crc32C(crc, chunk);
        }

        for (; i < length; i++)
        {
            crc = BitOperations.Crc32C(crc, Unsafe.Add(ref start, i));
        }

        return crc;
    }

    public static uint Append(uint crc, long value) => BitOperations.Crc32C(crc, (ulong)value);

    public static uint Finish(uint crc) => ~crc;

    /// <summary>The finished checksum of one span.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Seed, data));
}
