using System.Buffers.Text;
using System.Globalization;

namespace Pulse.Bench;

/// <summary>
/// One pre-built NDJSON body of generator events whose event ids and timestamps have fixed-width
/// fields, so every send can restamp them in place: a fresh run number makes every id unique across
/// the run (dedupe would otherwise make repeats artificially cheap), and times follow the wall clock.
/// </summary>
internal sealed class BenchBody
{
    /// <summary>Digits of the run number in <c>bench-RRRRRRRRRRRR-SSSSSSSSS</c>.</summary>
    public const int RunDigits = 12;

    public const int SequenceDigits = 9;

    /// <summary>Epoch milliseconds as digits: 13 from 2001 to 2286.</summary>
    public const int EpochMsDigits = 13;

    /// <summary>DateTime "O" in UTC: 2026-11-22T10:00:00.1230000Z.</summary>
    public const int Rfc3339Chars = 28;

    public static readonly long MaxRun = (long)Math.Pow(10, RunDigits) - 1;

    private readonly int[] _runOffsets;
    private readonly int[] _timestampOffsets;
    private readonly bool[] _timestampIsText;
    private readonly long[] _timestampDeltaMs;

    public BenchBody(byte[] buffer, int length, int[] runOffsets, int[] timestampOffsets, bool[] timestampIsText, long[] timestampDeltaMs)
    {
        Buffer = buffer;
        Length = length;
        _runOffsets = runOffsets;
        _timestampOffsets = timestampOffsets;
        _timestampIsText = timestampIsText;
        _timestampDeltaMs = timestampDeltaMs;
    }

    public byte[] Buffer { get; }

    public int Length { get; }

    public int Events => _runOffsets.Length;

    public ReadOnlyMemory<byte> Payload => Buffer.AsMemory(0, Length);

    /// <summary>
    /// Writes <paramref name="run"/> into every event id and sets each event's time to
    /// <paramref name="nowMs"/> plus its offset from the body's nominal time (disorder and late events keep their shape).
    /// </summary>
    public void Stamp(long run, long nowMs)
    {
        if (run < 0 || run > MaxRun)
        {
            throw new ArgumentOutOfRangeException(nameof(run), run, $"Run numbers have {RunDigits} digits.");
        }

        Span<byte> runText = stackalloc byte[RunDigits];
        WriteFixed(run, runText);
        Span<byte> buffer = Buffer.AsSpan(0, Length);
        for (int i = 0; i < _runOffsets.Length; i++)
        {
            runText.CopyTo(buffer.Slice(_runOffsets[i], RunDigits));
            long time = nowMs + _timestampDeltaMs[i];
            if (_timestampIsText[i])
            {
                WriteRfc3339(time, buffer.Slice(_timestampOffsets[i], Rfc3339Chars));
            }
            else
            {
                WriteFixed(time, buffer.Slice(_timestampOffsets[i], EpochMsDigits));
            }
        }
    }

    /// <summary>Zero-padded decimal filling <paramref name="destination"/> exactly.</summary>
    public static void WriteFixed(long value, Span<byte> destination)
    {
        for (int i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }

        if (value != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "The value has more digits than the field.");
        }
    }

    public static void WriteRfc3339(long epochMs, Span<byte> destination)
    {
        DateTime time = DateTime.UnixEpoch.AddMilliseconds(epochMs);
        if (!time.TryFormat(destination, out int written, "O", CultureInfo.InvariantCulture) || written != Rfc3339Chars)
        {
            throw new InvalidOperationException("An RFC 3339 timestamp did not fit its fixed-width field.");
        }
    }

    internal static bool TryParseFixed(ReadOnlySpan<byte> digits, out long value) =>
        Utf8Parser.TryParse(digits, out value, out int consumed) && consumed == digits.Length;
}
