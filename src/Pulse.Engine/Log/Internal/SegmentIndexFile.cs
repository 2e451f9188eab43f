using System.Buffers.Binary;
using Pulse.Events;

namespace Pulse.Log.Internal;

/// <summary>
/// The <c>.idx</c> sidecar of a sealed segment, little-endian:
/// magic, version, base/first/last offset, min/max timestamp, record count, segment length,
/// entry count, entries (offset, position, timestamp), CRC-32C of everything before it.
/// It is only a cache: when missing, torn or not matching the segment's length it is rebuilt by scanning.
/// </summary>
internal static class SegmentIndexFile
{
    private const uint Magic = 0x58444950; // "PIDX"
    private const uint Version = 1;
    private const int FixedSize = 72;
    private const int EntrySize = 24;

    public static void Write(string path, SegmentIndex index)
    {
        List<IndexEntry> entries = [];
        index.CopyEntriesTo(entries);
        byte[] bytes = new byte[FixedSize + (entries.Count * EntrySize) + 4];
        Span<byte> span = bytes;
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], Version);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], index.BaseOffset);
        BinaryPrimitives.WriteInt64LittleEndian(span[16..], index.FirstOffset);
        BinaryPrimitives.WriteInt64LittleEndian(span[24..], index.LastOffset);
        BinaryPrimitives.WriteInt64LittleEndian(span[32..], index.MinTimestamp);
        BinaryPrimitives.WriteInt64LittleEndian(span[40..], index.MaxTimestamp);
        BinaryPrimitives.WriteInt64LittleEndian(span[48..], index.RecordCount);
        BinaryPrimitives.WriteInt64LittleEndian(span[56..], index.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[64..], entries.Count);
        int pos = FixedSize;
        foreach (IndexEntry entry in entries)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[pos..], entry.Offset);
            BinaryPrimitives.WriteInt64LittleEndian(span[(pos + 8)..], entry.Position);
            BinaryPrimitives.WriteInt64LittleEndian(span[(pos + 16)..], entry.TimestampMs);
            pos += EntrySize;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(span[pos..], Crc32C.Finish(Crc32C.Append(Crc32C.Seed, span[..pos])));

        // Write-then-rename so a crash leaves either the old file or the new one, never half of one.
        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }

    public static SegmentIndex? TryRead(string path, long baseOffset, long segmentLength, long intervalBytes)
    {
        byte[] bytes;
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (IOException)
        {
            return null;
        }

        ReadOnlySpan<byte> span = bytes;
        if (span.Length < FixedSize + 4
            || BinaryPrimitives.ReadUInt32LittleEndian(span) != Magic
            || BinaryPrimitives.ReadUInt32LittleEndian(span[4..]) != Version)
        {
            return null;
        }

        int count = BinaryPrimitives.ReadInt32LittleEndian(span[64..]);
        if (count < 0 || span.Length != FixedSize + ((long)count * EntrySize) + 4)
        {
            return null;
        }

        int crcPos = span.Length - 4;
        uint crc = Crc32C.Finish(Crc32C.Append(Crc32C.Seed, span[..crcPos]));
        if (crc != BinaryPrimitives.ReadUInt32LittleEndian(span[crcPos..])
            || BinaryPrimitives.ReadInt64LittleEndian(span[8..]) != baseOffset
            || BinaryPrimitives.ReadInt64LittleEndian(span[56..]) != segmentLength)
        {
            return null;
        }

        IndexEntry[] entries = new IndexEntry[count];
        int pos = FixedSize;
        for (int i = 0; i < count; i++)
        {
            entries[i] = new IndexEntry(
                BinaryPrimitives.ReadInt64LittleEndian(span[pos..]),
                BinaryPrimitives.ReadInt64LittleEndian(span[(pos + 8)..]),
                BinaryPrimitives.ReadInt64LittleEndian(span[(pos + 16)..]));
            pos += EntrySize;
        }

        SegmentIndex index = new(baseOffset, intervalBytes);
        index.Restore(
            BinaryPrimitives.ReadInt64LittleEndian(span[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(span[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(span[32..]),
            BinaryPrimitives.ReadInt64LittleEndian(span[40..]),
            BinaryPrimitives.ReadInt64LittleEndian(span[48..]),
            segmentLength,
            entries);
        return index;
    }
}
