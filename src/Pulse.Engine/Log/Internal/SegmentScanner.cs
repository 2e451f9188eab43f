using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Pulse.Log.Internal;

/// <summary>
/// Walks the records of one segment file through a pooled read buffer, validating length, CRC
/// and offset order. Used by recovery, index rebuilds, offset/time lookups and a reader's
/// resynchronisation after corruption — never on the steady-state read path.
/// </summary>
internal sealed class SegmentScanner : IDisposable
{
    private const int DefaultBufferBytes = 1 << 20;

    private readonly SafeFileHandle _handle;
    private readonly long _end;
    private readonly bool _requireConsecutive;
    private byte[] _buffer;
    private long _bufferStart;
    private int _bufferLength;
    private bool _resynced;

    /// <param name="lastOffset">The offset of the record before <paramref name="start"/>: the next one must be larger (or exactly one larger when <paramref name="requireConsecutive"/>).</param>
    public SegmentScanner(SafeFileHandle handle, long start, long end, long lastOffset, bool requireConsecutive, int bufferBytes = DefaultBufferBytes)
    {
        _handle = handle;
        _end = end;
        _requireConsecutive = requireConsecutive;
        _buffer = ArrayPool<byte>.Shared.Rent(bufferBytes);
        Position = start;
        LastOffset = lastOffset;
    }

    /// <summary>Where the next record should start; after <see cref="ScanResult.Corrupt"/> the position of the bad bytes.</summary>
    public long Position { get; private set; }

    public long LastOffset { get; private set; }

    /// <summary>Records with an offset at or above this are rejected while resynchronising (they cannot exist yet).</summary>
    public long OffsetLimit { get; init; } = long.MaxValue;

    public ScanResult Next(out ScannedRecord record)
    {
        if (Position >= _end)
        {
            record = default;
            return ScanResult.End;
        }

        // Right after a resync the next record follows a gap, so only its order is checked.
        if (!TryValidateAt(Position, _requireConsecutive && !_resynced, out record))
        {
            return ScanResult.Corrupt;
        }

        _resynced = false;
        Position = record.End;
        LastOffset = record.Offset;
        return ScanResult.Record;
    }

    /// <summary>
    /// Finds the next byte position after <see cref="Position"/> where a valid record with a larger
    /// offset starts. False (and Position at the end) when the rest of the range holds none.
    /// </summary>
    public bool Resync()
    {
        for (long p = Position + 1; p + LogRecordFormat.HeaderSize <= _end; p++)
        {
            if (TryValidateAt(p, requireConsecutive: false, out _))
            {
                Position = p;
                _resynced = true;
                return true;
            }
        }

        Position = _end;
        return false;
    }

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private bool TryValidateAt(long position, bool requireConsecutive, out ScannedRecord record)
    {
        record = default;
        if (_end - position < LogRecordFormat.HeaderSize)
        {
            return false;
        }

        ReadOnlySpan<byte> header = Window(position, LogRecordFormat.HeaderSize);
        if (header.Length < LogRecordFormat.HeaderSize)
        {
            return false;
        }

        int payloadLength = LogRecordFormat.ReadPayloadLength(header);
        if (payloadLength < 0 || position + LogRecordFormat.HeaderSize + payloadLength > _end)
        {
            return false;
        }

        long offset = LogRecordFormat.ReadOffset(header);
        bool orderOk = requireConsecutive ? offset == LastOffset + 1 : offset > LastOffset && offset < OffsetLimit;
        if (!orderOk)
        {
            return false;
        }

        int recordBytes = LogRecordFormat.HeaderSize + payloadLength;
        ReadOnlySpan<byte> bytes = Window(position, recordBytes);
        if (bytes.Length < recordBytes || !LogRecordFormat.HasValidCrc(bytes))
        {
            return false;
        }

        record = new ScannedRecord(offset, LogRecordFormat.ReadTimestamp(bytes), position, payloadLength);
        return true;
    }

    /// <summary>The file bytes at [position, position + count), shorter when the file ends first.</summary>
    private ReadOnlySpan<byte> Window(long position, int count)
    {
        if (position >= _bufferStart && position + count <= _bufferStart + _bufferLength)
        {
            return _buffer.AsSpan((int)(position - _bufferStart), count);
        }

        if (count > _buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(count);
        }

        int wanted = (int)Math.Min(_buffer.Length, _end - position);
        _bufferStart = position;
        _bufferLength = ReadFully(_handle, _buffer.AsSpan(0, wanted), position);
        return _buffer.AsSpan(0, Math.Min(count, _bufferLength));
    }

    public static int ReadFully(SafeFileHandle handle, Span<byte> destination, long position)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int read = RandomAccess.Read(handle, destination[total..], position + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
