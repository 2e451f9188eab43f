using System.Globalization;
using System.Text;

namespace Pulse.Bench;

/// <summary>
/// Rewrites one generator NDJSON line so its event id and timestamp have fixed widths
/// (<c>bench-RRRRRRRRRRRR-SSSSSSSSS</c>, 13-digit epoch ms or 28-char RFC 3339) and reports where
/// they are, so <see cref="BenchBody.Stamp"/> can patch them in place.
/// </summary>
internal static class BodyLineRewriter
{
    private static readonly byte[] IdPrefix = "{\"event_id\":\""u8.ToArray();
    private static readonly byte[] BenchIdPrefix = "bench-"u8.ToArray();
    private static readonly byte[] TimestampKey = "\"timestamp\":"u8.ToArray();

    /// <summary>The longest a rewritten line can grow over the original.</summary>
    public const int MaxGrowth = 64;

    /// <summary>
    /// Writes the rewritten line (with its newline) into <paramref name="destination"/> and returns its
    /// length; offsets are relative to <paramref name="destination"/>. Throws on a line that is not the
    /// generator's shape, which would mean the generator changed under the bench.
    /// </summary>
    public static int Rewrite(ReadOnlySpan<byte> line, long sequence, long baseMs, Span<byte> destination, out int runOffset, out int timestampOffset, out bool timestampIsText, out long timestampDeltaMs)
    {
        if (!line.StartsWith(IdPrefix))
        {
            throw Unexpected(line, "does not start with an event_id");
        }

        int idEnd = line[IdPrefix.Length..].IndexOf((byte)'"') + IdPrefix.Length;
        if (idEnd < IdPrefix.Length)
        {
            throw Unexpected(line, "has an unterminated event_id");
        }

        int position = 0;
        Append(destination, ref position, IdPrefix);
        Append(destination, ref position, BenchIdPrefix);
        runOffset = position;
        BenchBody.WriteFixed(0, destination.Slice(position, BenchBody.RunDigits));
        position += BenchBody.RunDigits;
        destination[position++] = (byte)'-';
        BenchBody.WriteFixed(sequence, destination.Slice(position, BenchBody.SequenceDigits));
        position += BenchBody.SequenceDigits;

        ReadOnlySpan<byte> rest = line[idEnd..];
        int key = rest.IndexOf(TimestampKey);
        if (key < 0)
        {
            throw Unexpected(line, "has no timestamp");
        }

        int valueStart = key + TimestampKey.Length;
        Append(destination, ref position, rest[..valueStart]);
        rest = rest[valueStart..];
        long timestampMs;
        if (rest[0] == (byte)'"')
        {
            int close = rest[1..].IndexOf((byte)'"') + 1;
            if (close < 1)
            {
                throw Unexpected(line, "has an unterminated timestamp");
            }

            timestampMs = new DateTimeOffset(DateTime.Parse(Encoding.ASCII.GetString(rest[1..close]), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)).ToUnixTimeMilliseconds();
            timestampIsText = true;
            destination[position++] = (byte)'"';
            timestampOffset = position;
            BenchBody.WriteRfc3339(timestampMs, destination.Slice(position, BenchBody.Rfc3339Chars));
            position += BenchBody.Rfc3339Chars;
            rest = rest[close..];
        }
        else
        {
            int end = rest.IndexOfAnyExceptInRange((byte)'0', (byte)'9');
            if (end <= 0 || !BenchBody.TryParseFixed(rest[..end], out timestampMs))
            {
                throw Unexpected(line, "has a timestamp that is neither text nor epoch milliseconds");
            }

            timestampIsText = false;
            timestampOffset = position;
            BenchBody.WriteFixed(timestampMs, destination.Slice(position, BenchBody.EpochMsDigits));
            position += BenchBody.EpochMsDigits;
            rest = rest[end..];
        }

        Append(destination, ref position, rest);
        timestampDeltaMs = timestampMs - baseMs;
        return position;
    }

    private static void Append(Span<byte> destination, ref int position, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination[position..]);
        position += bytes.Length;
    }

    private static InvalidOperationException Unexpected(ReadOnlySpan<byte> line, string what) =>
        new($"A generated line {what}: {Encoding.UTF8.GetString(line[..Math.Min(line.Length, 120)])}");
}
