using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Pulse.Events;

/// <summary>A field's bytes inside some source buffer.</summary>
public readonly record struct FieldSlice(int Start, int Length);

/// <summary>
/// The binary encoding of one event, as stored in the log (the log adds its own framing and CRC).
/// Layout (little-endian): <see cref="EventHeader"/> (56 bytes); then the string fields
/// <see cref="EventField.EventId"/>..<see cref="EventField.Device"/>, each a u16 length and its
/// UTF-8 bytes; then <see cref="EventField.Properties"/> as an i32 length and compact JSON bytes.
/// Parsing happens once at ingest; replay decodes this, which costs no JSON work.
/// </summary>
public static class EventCodec
{
    public const int StringFieldCount = 12;
    public const int FieldCount = 13;
    public const int MaxStringFieldBytes = ushort.MaxValue;

    public static int EncodedLength(ReadOnlySpan<FieldSlice> fields)
    {
        int length = EventHeader.Size + (StringFieldCount * 2) + 4;
        for (int i = 0; i < FieldCount; i++)
        {
            length += fields[i].Length;
        }

        return length;
    }

    /// <summary>Encodes one event. <paramref name="fields"/> holds <see cref="FieldCount"/> slices of <paramref name="source"/>.</summary>
    /// <returns>The bytes written.</returns>
    public static int Encode(in EventHeader header, ReadOnlySpan<byte> source, ReadOnlySpan<FieldSlice> fields, Span<byte> destination)
    {
        MemoryMarshal.Write(destination, in header);
        int pos = EventHeader.Size;
        for (int i = 0; i < StringFieldCount; i++)
        {
            FieldSlice f = fields[i];
            BinaryPrimitives.WriteUInt16LittleEndian(destination[pos..], checked((ushort)f.Length));
            pos += 2;
            source.Slice(f.Start, f.Length).CopyTo(destination[pos..]);
            pos += f.Length;
        }

        FieldSlice p = fields[StringFieldCount];
        BinaryPrimitives.WriteInt32LittleEndian(destination[pos..], p.Length);
        pos += 4;
        source.Slice(p.Start, p.Length).CopyTo(destination[pos..]);
        return pos + p.Length;
    }
}

/// <summary>A read-only view of one encoded event. Decoding walks the length prefixes once.</summary>
public readonly ref struct EncodedEvent
{
    private readonly ReadOnlySpan<byte> _payload;
    private readonly FieldOffsets _offsets;

    public EncodedEvent(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < EventHeader.Size + (EventCodec.StringFieldCount * 2) + 4)
        {
            throw new InvalidDataException("Encoded event is shorter than its fixed part.");
        }

        _payload = payload;
        Header = MemoryMarshal.Read<EventHeader>(payload);
        int pos = EventHeader.Size;
        for (int i = 0; i < EventCodec.StringFieldCount; i++)
        {
            int len = BinaryPrimitives.ReadUInt16LittleEndian(payload[pos..]);
            pos += 2;
            _offsets[i] = new FieldSlice(pos, len);
            pos += len;
        }

        int propLen = BinaryPrimitives.ReadInt32LittleEndian(payload[pos..]);
        pos += 4;
        _offsets[EventCodec.StringFieldCount] = new FieldSlice(pos, propLen);
        if (propLen < 0 || pos + propLen > payload.Length)
        {
            throw new InvalidDataException("Encoded event has a field past its end.");
        }
    }

    public EventHeader Header { get; }

    public ReadOnlySpan<byte> this[EventField field]
    {
        get
        {
            FieldSlice f = _offsets[(int)field];
            return _payload.Slice(f.Start, f.Length);
        }
    }

    [System.Runtime.CompilerServices.InlineArray(EventCodec.FieldCount)]
    private struct FieldOffsets
    {
        private FieldSlice _element;
    }
}
