using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Pulse.Tests.Reliability;

/// <summary>One framed record as it lies in a segment file: its offset, where it starts, its whole size and its payload.</summary>
internal sealed record StoredRecord(long Offset, long Position, int Bytes, byte[] Payload)
{
    public long End => Position + Bytes;

    public bool Holds(string eventId) => Payload.AsSpan().IndexOf(Encoding.UTF8.GetBytes(eventId)) >= 0;
}

/// <summary>One segment file of a partition log and the records it holds, oldest first.</summary>
internal sealed record SegmentFile(string Path, long BaseOffset, IReadOnlyList<StoredRecord> Records)
{
    public string IndexPath => System.IO.Path.ChangeExtension(Path, ".idx");
}

/// <summary>
/// Reads and damages a stopped server's log files with its own parser of the documented record
/// format (<c>[u32 length][u32 crc32c][i64 offset][i64 timestamp][payload]</c>), so what the tests
/// damage — and so what they expect lost — does not depend on the code under test.
/// </summary>
internal static class LogFiles
{
    private const int HeaderSize = 24;

    public static string PartitionDirectory(string data, int partition) =>
        Path.Combine(data, "log", "p-" + partition.ToString("D3", CultureInfo.InvariantCulture));

    /// <summary>Every segment of the partition with its records, parsed up to the first bytes that are not a whole record.</summary>
    public static List<SegmentFile> Read(string data, int partition = 0)
    {
        var segments = new List<SegmentFile>();
        foreach (string path in Directory.GetFiles(PartitionDirectory(data, partition), "*.log").Order(StringComparer.Ordinal))
        {
            byte[] bytes = File.ReadAllBytes(path);
            var records = new List<StoredRecord>();
            int pos = 0;
            while (pos + HeaderSize <= bytes.Length)
            {
                int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos));
                if (length < 0 || pos + HeaderSize + length > bytes.Length)
                {
                    break;
                }

                long offset = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(pos + 8));
                records.Add(new StoredRecord(offset, pos, HeaderSize + length, bytes.AsSpan(pos + HeaderSize, length).ToArray()));
                pos += HeaderSize + length;
            }

            segments.Add(new SegmentFile(path, long.Parse(Path.GetFileNameWithoutExtension(path), CultureInfo.InvariantCulture), records));
        }

        return segments;
    }

    /// <summary>Flips one bit in the middle of <paramref name="record"/>'s payload, leaving the file's length (and so its index) as it was.</summary>
    public static void FlipBit(SegmentFile segment, StoredRecord record)
    {
        using FileStream file = File.Open(segment.Path, FileMode.Open, FileAccess.ReadWrite);
        long at = record.Position + HeaderSize + ((record.Bytes - HeaderSize) / 2);
        file.Position = at;
        int b = file.ReadByte();
        file.Position = at;
        file.WriteByte((byte)(b ^ 0x10));
    }

    /// <summary>
    /// Appends what a crash in the middle of a write leaves: the header of the record that would have
    /// come next and part of its payload (a write that never completed, so was never acknowledged).
    /// </summary>
    /// <returns>The bytes appended.</returns>
    public static int AppendTornRecord(SegmentFile segment, long nextOffset)
    {
        byte[] torn = new byte[HeaderSize + 40];
        BinaryPrimitives.WriteUInt32LittleEndian(torn, 180);
        BinaryPrimitives.WriteUInt32LittleEndian(torn.AsSpan(4), 0x5EED);
        BinaryPrimitives.WriteInt64LittleEndian(torn.AsSpan(8), nextOffset);
        BinaryPrimitives.WriteInt64LittleEndian(torn.AsSpan(16), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        new Random(8).NextBytes(torn.AsSpan(HeaderSize));
        using FileStream file = File.Open(segment.Path, FileMode.Append, FileAccess.Write);
        file.Write(torn);
        return torn.Length;
    }

    /// <summary>Cuts the segment file to <paramref name="length"/> bytes (its index, now stale, stays).</summary>
    public static void Truncate(SegmentFile segment, long length)
    {
        using FileStream file = File.Open(segment.Path, FileMode.Open, FileAccess.ReadWrite);
        file.SetLength(length);
    }

    /// <summary>Deletes the segment and its index, as a lost file or a mistaken clean-up would.</summary>
    public static void Delete(SegmentFile segment)
    {
        File.Delete(segment.Path);
        File.Delete(segment.IndexPath);
    }
}
