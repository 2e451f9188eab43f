using System.Buffers.Binary;
using Pulse.Events;

namespace Pulse.Log.Internal;

/// <summary>
/// One record on disk, little-endian: <c>[u32 payloadLength][u32 crc32c][i64 offset][i64 timestampMs][payload]</c>.
/// The CRC covers the payload, then the offset and the timestamp: hashing the payload first lets
/// appenders hash outside the append lock and fold in the offset (known only under it) in two steps.
/// </summary>
internal static class LogRecordFormat
{
    public const int HeaderSize = 24;

    /// <summary>Larger lengths are treated as a corrupt header, so a flipped high bit cannot make a reader allocate gigabytes.</summary>
    public const int MaxPayloadBytes = 16 * 1024 * 1024;

    public static uint PayloadCrc(ReadOnlySpan<byte> payload) => Crc32C.Append(Crc32C.Seed, payload);

    public static uint RecordCrc(uint payloadCrc, long offset, long timestampMs) =>
        Crc32C.Finish(Crc32C.Append(Crc32C.Append(payloadCrc, offset), timestampMs));

    public static void WriteHeader(Span<byte> destination, int payloadLength, uint crc, long offset, long timestampMs)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)payloadLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], crc);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], offset);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], timestampMs);
    }

    /// <summary>The payload length, or -1 when it cannot belong to a valid record.</summary>
    public static int ReadPayloadLength(ReadOnlySpan<byte> header)
    {
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        return length > MaxPayloadBytes ? -1 : (int)length;
    }

    public static uint ReadCrc(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);

    public static long ReadOffset(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadInt64LittleEndian(header[8..]);

    public static long ReadTimestamp(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadInt64LittleEndian(header[16..]);

    /// <summary>Checks the CRC of a whole record (header and payload).</summary>
    public static bool HasValidCrc(ReadOnlySpan<byte> record)
    {
        ReadOnlySpan<byte> payload = record[HeaderSize..];
        uint expected = RecordCrc(PayloadCrc(payload), ReadOffset(record), ReadTimestamp(record));
        return expected == ReadCrc(record);
    }
}
