using System.Buffers.Text;
using System.Runtime.CompilerServices;

namespace Pulse.Generate;

/// <summary>Appends ASCII/UTF-8 pieces to a span the caller sized; the writer never allocates.</summary>
internal ref struct Utf8Cursor
{
    private readonly Span<byte> _buffer;

    public Utf8Cursor(Span<byte> buffer)
    {
        _buffer = buffer;
        Position = 0;
    }

    public int Position { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Literal(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer[Position..]);
        Position += bytes.Length;
    }

    public void Integer(long value)
    {
        Utf8Formatter.TryFormat(value, _buffer[Position..], out int written);
        Position += written;
    }

    /// <summary>Cents as a decimal number with two fraction digits: exact, unlike formatting a double.</summary>
    public void Money(long cents)
    {
        Integer(cents / 100);
        int fraction = (int)(cents % 100);
        _buffer[Position] = (byte)'.';
        _buffer[Position + 1] = (byte)('0' + (fraction / 10));
        _buffer[Position + 2] = (byte)('0' + (fraction % 10));
        Position += 3;
    }

    /// <summary>RFC 3339 in UTC with fractional seconds ("O" round-trip format), e.g. 2026-11-22T10:00:00.1230000Z.</summary>
    public void Rfc3339(long epochMs)
    {
        DateTime time = DateTime.UnixEpoch.AddMilliseconds(epochMs);
        time.TryFormat(_buffer[Position..], out int written, "O", System.Globalization.CultureInfo.InvariantCulture);
        Position += written;
    }
}
