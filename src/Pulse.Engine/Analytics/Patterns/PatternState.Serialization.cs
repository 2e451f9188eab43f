using System.Buffers;
using System.Buffers.Binary;

namespace Pulse.Analytics.Patterns;

/// <summary>
/// Binary form (little-endian): version u8 (1), kind u8, definition fingerprint u64, body length
/// u32, body. The body is zig-zag varints, times and offsets as deltas from the last event applied,
/// so an idle-ish state takes a few dozen bytes. The fingerprint lets a reader skip the state of a
/// definition that has changed since the checkpoint.
/// </summary>
public sealed partial class PatternState
{
    public const byte FormatVersion = 1;
    private const int HeaderSize = 14;
    private const int MaxVarint = 10;
    private const int EntryFields = 7;

    private const byte FlagLast = 1;
    private const byte FlagSession = 2;
    private const byte FlagMatched = 4;

    public void Write(IBufferWriter<byte> writer)
    {
        int bound = HeaderSize + 1 + (6 * MaxVarint) + (Entries.Length * (EntryFields * MaxVarint));
        Span<byte> span = writer.GetSpan(bound);
        span[0] = FormatVersion;
        span[1] = (byte)Kind;
        BinaryPrimitives.WriteUInt64LittleEndian(span[2..], Fingerprint);
        int pos = HeaderSize;
        span[pos++] = (byte)((HasLast ? FlagLast : 0) | (HasSession ? FlagSession : 0) | (HasMatched ? FlagMatched : 0));
        long baseTime = HasLast ? LastTimeMs : 0;
        long baseOffset = HasLast ? LastOffset : 0;
        if (HasLast)
        {
            Varint.Write(span, ref pos, LastTimeMs);
            Varint.Write(span, ref pos, LastOffset);
        }

        if (HasSession)
        {
            Varint.Write(span, ref pos, baseTime - SessionStartMs);
        }

        if (HasMatched)
        {
            Varint.Write(span, ref pos, baseTime - LastMatchedMs);
        }

        Varint.Write(span, ref pos, Entries.Length);
        switch (Kind)
        {
            case PatternKind.Absence:
                Varint.Write(span, ref pos, Used);
                if (Used != 0)
                {
                    WriteEntry(span, ref pos, Entries[0], baseTime, baseOffset);
                }

                break;
            case PatternKind.Count:
                Varint.Write(span, ref pos, Used);
                for (int i = 0; i < Used; i++)
                {
                    WriteEntry(span, ref pos, Entries[(Head + i) % Entries.Length], baseTime, baseOffset);
                }

                break;
            default:
                ulong valid = 0;
                for (int i = 0; i < Entries.Length; i++)
                {
                    valid |= Entries[i].Valid ? 1UL << i : 0;
                }

                Varint.Write(span, ref pos, (long)valid);
                foreach (PatternEntry entry in Entries)
                {
                    if (entry.Valid)
                    {
                        WriteEntry(span, ref pos, entry, baseTime, baseOffset);
                    }
                }

                break;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(span[10..], (uint)(pos - HeaderSize));
        writer.Advance(pos);
    }

    /// <summary>Moves past a state at <paramref name="position"/> without reading it (its pattern is gone); always null.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a state of this format.</exception>
    public static PatternState? Skip(ReadOnlySpan<byte> source, ref int position) => Read(source, ref position, 0, 0, 0);

    /// <summary>
    /// Reads a state at <paramref name="position"/> and moves past it. Null when it was written for
    /// another definition than <paramref name="kind"/>/<paramref name="fingerprint"/> (it is skipped).
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a state of this format.</exception>
    internal static PatternState? Read(ReadOnlySpan<byte> source, ref int position, PatternKind kind, ulong fingerprint, int slots)
    {
        if (source.Length - position < HeaderSize)
        {
            throw new InvalidDataException("Pattern state is truncated.");
        }

        ReadOnlySpan<byte> header = source[position..];
        if (header[0] != FormatVersion)
        {
            throw new InvalidDataException($"Pattern state has format version {header[0]}; this build reads {FormatVersion}.");
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(header[10..]);
        if (length > source.Length - position - HeaderSize)
        {
            throw new InvalidDataException("Pattern state is truncated.");
        }

        ReadOnlySpan<byte> body = source.Slice(position + HeaderSize, (int)length);
        position += HeaderSize + (int)length;
        if (header[1] != (byte)kind || BinaryPrimitives.ReadUInt64LittleEndian(header[2..]) != fingerprint)
        {
            return null;
        }

        var state = new PatternState(kind, fingerprint, slots);
        int pos = 0;
        byte flags = body.IsEmpty ? throw new InvalidDataException("Pattern state body is empty.") : body[pos++];
        state.HasLast = (flags & FlagLast) != 0;
        state.HasSession = (flags & FlagSession) != 0;
        state.HasMatched = (flags & FlagMatched) != 0;
        if (state.HasLast)
        {
            state.LastTimeMs = Varint.Read(body, ref pos);
            state.LastOffset = Varint.Read(body, ref pos);
        }

        long baseTime = state.LastTimeMs;
        long baseOffset = state.LastOffset;
        if (state.HasSession)
        {
            state.SessionStartMs = baseTime - Varint.Read(body, ref pos);
        }

        if (state.HasMatched)
        {
            state.LastMatchedMs = baseTime - Varint.Read(body, ref pos);
        }

        if (Varint.Read(body, ref pos) != slots)
        {
            throw new InvalidDataException("Pattern state has another number of slots than its definition.");
        }

        switch (kind)
        {
            case PatternKind.Absence or PatternKind.Count:
                long used = Varint.Read(body, ref pos);
                if (used < 0 || used > slots || (kind == PatternKind.Absence && used > 1))
                {
                    throw new InvalidDataException("Pattern state holds more entries than it has room for.");
                }

                state.Used = (int)used;
                for (int i = 0; i < used; i++)
                {
                    state.Entries[i] = ReadEntry(body, ref pos, baseTime, baseOffset);
                }

                break;
            default:
                ulong valid = (ulong)Varint.Read(body, ref pos);
                if (slots < 64 && valid >> slots != 0)
                {
                    throw new InvalidDataException("Pattern state names a step its definition does not have.");
                }

                for (int i = 0; i < slots; i++)
                {
                    if ((valid & (1UL << i)) != 0)
                    {
                        state.Entries[i] = ReadEntry(body, ref pos, baseTime, baseOffset);
                    }
                }

                break;
        }

        if (pos != body.Length)
        {
            throw new InvalidDataException("Pattern state has bytes after its end.");
        }

        return state;
    }

    private static void WriteEntry(Span<byte> span, ref int pos, in PatternEntry e, long baseTime, long baseOffset)
    {
        Varint.Write(span, ref pos, baseTime - e.TimeMs);
        Varint.Write(span, ref pos, baseOffset - e.Offset);
        Varint.Write(span, ref pos, e.TimeMs - e.SessionStartMs);
        Varint.Write(span, ref pos, e.Page);
        Varint.Write(span, ref pos, e.Product);
        Varint.Write(span, ref pos, e.RevenueMicros);
        Varint.Write(span, ref pos, e.Count);
    }

    private static PatternEntry ReadEntry(ReadOnlySpan<byte> body, ref int pos, long baseTime, long baseOffset)
    {
        var e = new PatternEntry { Valid = true };
        e.TimeMs = baseTime - Varint.Read(body, ref pos);
        e.Offset = baseOffset - Varint.Read(body, ref pos);
        e.SessionStartMs = e.TimeMs - Varint.Read(body, ref pos);
        e.Page = ReadInt(body, ref pos);
        e.Product = ReadInt(body, ref pos);
        e.RevenueMicros = Varint.Read(body, ref pos);
        e.Count = ReadInt(body, ref pos);
        return e;
    }

    private static int ReadInt(ReadOnlySpan<byte> body, ref int pos)
    {
        long v = Varint.Read(body, ref pos);
        return v is >= int.MinValue and <= int.MaxValue ? (int)v : throw new InvalidDataException("Pattern state has an id out of range.");
    }
}

/// <summary>Zig-zag LEB128: small magnitudes of either sign take one or two bytes.</summary>
internal static class Varint
{
    public static void Write(Span<byte> span, ref int pos, long value)
    {
        ulong v = (ulong)((value << 1) ^ (value >> 63));
        while (v >= 0x80)
        {
            span[pos++] = (byte)(v | 0x80);
            v >>= 7;
        }

        span[pos++] = (byte)v;
    }

    public static long Read(ReadOnlySpan<byte> span, ref int pos)
    {
        ulong v = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (pos >= span.Length)
            {
                throw new InvalidDataException("Pattern state is truncated.");
            }

            byte b = span[pos++];
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return (long)(v >> 1) ^ -(long)(v & 1);
            }
        }

        throw new InvalidDataException("Pattern state has an over-long number.");
    }
}
