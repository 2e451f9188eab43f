using System.Buffers;
using System.Buffers.Binary;
using Pulse.Events;

namespace Pulse.Analytics.Anomalies;

/// <summary>
/// Persisted form, little-endian: <c>[version]</c>, seasonal days and window (one byte each), ignored
/// and stale observation counts (int64), the refused keys (int32 count, then metric, group int32 and
/// resolution byte each), the series (int32 count, then each in creation order: metric, group int32,
/// flags byte — bit 0 per-minute, bit 1 seasonal ring follows —, last index, observations, history
/// start int64, level, scale, seasonal offset float64, and the ring's y as float32), then a CRC-32C of
/// everything before it. Restored with different seasonal days or window, the rings are dropped
/// (levels and scales are kept) and seasonality is learned again. Corrupt input raises
/// <see cref="InvalidDataException"/>.
/// </summary>
public sealed partial class AnomalyDetector
{
    internal const byte FormatVersion = 1;
    private const int HeaderSize = 3 + (2 * sizeof(long)) + sizeof(int);
    private const int KeySize = (2 * sizeof(int)) + 1;
    private const int SeriesFixedSize = KeySize + (3 * sizeof(long)) + (3 * sizeof(double));
    private const byte PerMinuteFlag = 1;
    private const byte RingFlag = 2;

    /// <summary>Writes the whole state and returns the byte count (per-minute series with seasonality take ≈ 17 KB each with the defaults).</summary>
    public int Serialize(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        uint crc = Crc32C.Seed;
        Span<byte> header = writer.GetSpan(HeaderSize + (_ignored.Count * KeySize) + sizeof(int));
        header[0] = FormatVersion;
        header[1] = (byte)_options.SeasonalDays;
        header[2] = (byte)_options.SeasonalWindow;
        int position = 3;
        BinaryPrimitives.WriteInt64LittleEndian(header[position..], IgnoredObservations);
        position += sizeof(long);
        BinaryPrimitives.WriteInt64LittleEndian(header[position..], StaleObservations);
        position += sizeof(long);
        BinaryPrimitives.WriteInt32LittleEndian(header[position..], _ignored.Count);
        position += sizeof(int);
        foreach (StateKey key in SortedIgnored())
        {
            position += WriteKey(header[position..], key.Series, key.PerMinute ? PerMinuteFlag : (byte)0);
        }

        BinaryPrimitives.WriteInt32LittleEndian(header[position..], _series.Count);
        position += sizeof(int);
        crc = Crc32C.Append(crc, header[..position]);
        writer.Advance(position);
        int total = position;
        foreach (SeriesBaseline series in _series)
        {
            int ringLength = series.Values?.Length ?? 0;
            int size = SeriesFixedSize + (ringLength * sizeof(float));
            Span<byte> span = writer.GetSpan(size);
            byte flags = (byte)((series.PerMinute ? PerMinuteFlag : 0) | (ringLength > 0 ? RingFlag : 0));
            int at = WriteKey(span, series.Key, flags);
            BinaryPrimitives.WriteInt64LittleEndian(span[at..], series.LastIndex);
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 8)..], series.Observations);
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 16)..], series.HistoryStart);
            BinaryPrimitives.WriteDoubleLittleEndian(span[(at + 24)..], series.Level);
            BinaryPrimitives.WriteDoubleLittleEndian(span[(at + 32)..], series.Mad);
            BinaryPrimitives.WriteDoubleLittleEndian(span[(at + 40)..], series.Offset);
            at += 48;
            if (ringLength > 0)
            {
                at += WriteFloats(span[at..], series.Values!);
            }

            crc = Crc32C.Append(crc, span[..at]);
            writer.Advance(at);
            total += at;
        }

        Span<byte> trailer = writer.GetSpan(sizeof(uint));
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, Crc32C.Finish(crc));
        writer.Advance(sizeof(uint));
        return total + sizeof(uint);
    }

    /// <summary>Restores a detector written by <see cref="Serialize"/>; series beyond <see cref="AnomalyOptions.MaxSeries"/> are dropped and count as refused.</summary>
    public static AnomalyDetector Deserialize(ReadOnlySpan<byte> serialized, AnomalyOptions options)
    {
        var detector = new AnomalyDetector(options);
        AnomalyOptions current = detector._options;
        if (serialized.Length < HeaderSize + sizeof(int) + sizeof(uint))
        {
            throw Corrupt($"{serialized.Length} bytes is shorter than any serialized detector");
        }

        if (serialized[0] != FormatVersion)
        {
            throw Corrupt($"unsupported format version {serialized[0]}");
        }

        int bodyLength = serialized.Length - sizeof(uint);
        ReadOnlySpan<byte> body = serialized[..bodyLength];
        if (Crc32C.Compute(body) != BinaryPrimitives.ReadUInt32LittleEndian(serialized[bodyLength..]))
        {
            throw Corrupt("checksum mismatch");
        }

        int savedDays = body[1];
        int savedWindow = body[2];
        if (savedDays > AnomalyOptions.MaxSeasonalDays || savedWindow > AnomalyOptions.MaxSeasonalWindow)
        {
            throw Corrupt($"seasonal days {savedDays} or window {savedWindow} out of range");
        }

        int savedRing = savedDays == 0 ? 0 : (savedDays * SeriesBaseline.MinutesPerDay) + savedWindow;
        bool keepRings = savedDays == current.SeasonalDays && savedWindow == current.SeasonalWindow;
        int position = 3;
        detector.IgnoredObservations = ReadCount(body, ref position, "ignored observations");
        detector.StaleObservations = ReadCount(body, ref position, "stale observations");
        int ignoredCount = ReadLength(body, ref position, KeySize, "refused keys");
        for (int i = 0; i < ignoredCount; i++)
        {
            (SeriesKey key, byte flags) = ReadKey(body, ref position);
            if (flags > PerMinuteFlag)
            {
                throw Corrupt($"refused key flags {flags}");
            }

            detector.Refuse(new StateKey(key, flags == PerMinuteFlag));
        }

        int seriesCount = ReadLength(body, ref position, SeriesFixedSize, "series");
        for (int i = 0; i < seriesCount; i++)
        {
            SeriesBaseline? series = ReadSeries(body, ref position, savedRing, keepRings, current);
            if (series is null)
            {
                continue;
            }

            var key = new StateKey(series.Key, series.PerMinute);
            if (detector._byKey.ContainsKey(key) || detector._ignored.Contains(key))
            {
                throw Corrupt($"series {series.Key} appears twice");
            }

            if (detector._series.Count < current.MaxSeries)
            {
                detector.Add(series);
            }
            else
            {
                detector.Refuse(key);
            }
        }

        if (position != body.Length)
        {
            throw Corrupt($"{body.Length - position} unexpected bytes after the series");
        }

        return detector;
    }

    private static SeriesBaseline? ReadSeries(ReadOnlySpan<byte> body, ref int position, int savedRing, bool keepRings, AnomalyOptions options)
    {
        (SeriesKey key, byte flags) = ReadKey(body, ref position);
        bool perMinute = (flags & PerMinuteFlag) != 0;
        bool hasRing = (flags & RingFlag) != 0;
        if (flags > (PerMinuteFlag | RingFlag) || (hasRing && (!perMinute || savedRing == 0)) || (perMinute && savedRing > 0 && !hasRing))
        {
            throw Corrupt($"series flags {flags}");
        }

        long lastIndex = ReadInt64(body, ref position);
        long observations = ReadInt64(body, ref position);
        long historyStart = ReadInt64(body, ref position);
        double level = ReadDouble(body, ref position);
        double mad = ReadDouble(body, ref position);
        double offset = ReadDouble(body, ref position);
        if (observations < 0 || lastIndex < 0 || (observations > 0 && (historyStart < 0 || historyStart > lastIndex))
            || !double.IsFinite(level) || level < 0 || !double.IsFinite(mad) || mad < 0 || !double.IsFinite(offset))
        {
            throw Corrupt($"series {key} has an invalid baseline");
        }

        var series = new SeriesBaseline(key, perMinute, options)
        {
            LastIndex = lastIndex,
            Observations = observations,
            Level = level,
            Mad = mad,
            Offset = keepRings ? offset : 0,
        };
        if (hasRing)
        {
            if (body.Length - position < savedRing * sizeof(float))
            {
                throw Corrupt("detector ends mid-ring");
            }

            if (keepRings)
            {
                ReadFloats(body.Slice(position, savedRing * sizeof(float)), series.Values!);
            }

            position += savedRing * sizeof(float);
        }

        // Without the saved ring, seasonal history starts after the last observation.
        series.HistoryStart = series.Values is null || (hasRing && keepRings) ? historyStart : lastIndex + 1;
        return series;
    }

    private void Refuse(StateKey key)
    {
        if (_ignored.Count < _options.MaxSeries)
        {
            _ignored.Add(key);
        }
    }

    private List<StateKey> SortedIgnored()
    {
        var keys = new List<StateKey>(_ignored);
        keys.Sort(static (a, b) => a.Series.Metric != b.Series.Metric ? a.Series.Metric.CompareTo(b.Series.Metric)
            : a.Series.Group != b.Series.Group ? a.Series.Group.CompareTo(b.Series.Group)
            : a.PerMinute.CompareTo(b.PerMinute));
        return keys;
    }

    private static int WriteKey(Span<byte> destination, SeriesKey key, byte flags)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, key.Metric);
        BinaryPrimitives.WriteInt32LittleEndian(destination[sizeof(int)..], key.Group);
        destination[2 * sizeof(int)] = flags;
        return KeySize;
    }

    private static (SeriesKey Key, byte Flags) ReadKey(ReadOnlySpan<byte> body, ref int position)
    {
        if (body.Length - position < KeySize)
        {
            throw Corrupt("detector ends mid-key");
        }

        var key = new SeriesKey(BinaryPrimitives.ReadInt32LittleEndian(body[position..]), BinaryPrimitives.ReadInt32LittleEndian(body[(position + 4)..]));
        byte flags = body[position + 8];
        position += KeySize;
        return (key, flags);
    }

    private static int WriteFloats(Span<byte> destination, float[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(destination[(i * sizeof(float))..], values[i]);
        }

        return values.Length * sizeof(float);
    }

    private static void ReadFloats(ReadOnlySpan<byte> source, float[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            float value = BinaryPrimitives.ReadSingleLittleEndian(source[(i * sizeof(float))..]);
            values[i] = float.IsFinite(value) && value >= 0 ? value : throw Corrupt($"ring value {value}");
        }
    }

    private static int ReadLength(ReadOnlySpan<byte> body, ref int position, int minItemSize, string field)
    {
        if (body.Length - position < sizeof(int))
        {
            throw Corrupt($"detector ends before the {field}");
        }

        int count = BinaryPrimitives.ReadInt32LittleEndian(body[position..]);
        position += sizeof(int);
        return count >= 0 && count <= (body.Length - position) / minItemSize ? count : throw Corrupt($"{count} {field} cannot fit");
    }

    private static long ReadCount(ReadOnlySpan<byte> body, ref int position, string field)
    {
        long value = ReadInt64(body, ref position);
        return value >= 0 ? value : throw Corrupt($"{field} {value} is negative");
    }

    private static long ReadInt64(ReadOnlySpan<byte> body, ref int position)
    {
        if (body.Length - position < sizeof(long))
        {
            throw Corrupt("detector ends mid-field");
        }

        long value = BinaryPrimitives.ReadInt64LittleEndian(body[position..]);
        position += sizeof(long);
        return value;
    }

    private static double ReadDouble(ReadOnlySpan<byte> body, ref int position) => BitConverter.Int64BitsToDouble(ReadInt64(body, ref position));

    private static InvalidDataException Corrupt(string reason) => new($"Invalid serialized anomaly detector: {reason}.");
}
