using System.Buffers;
using System.Buffers.Binary;
using Pulse.Analytics.Anomalies;
using Pulse.Events;

namespace Pulse.Tests.Analytics.Anomalies;

public sealed class AnomalyDetectorSerializationTests
{
    private readonly record struct Observation(SeriesKey Key, long StartMs, long WidthMs, double Value);

    [Fact]
    public void ARestoredDetector_ContinuesExactlyWhereTheCheckpointLeftOff()
    {
        List<Observation> observations = Scenario();
        var uninterrupted = new AnomalyDetector(new AnomalyOptions());
        List<Anomaly> expected = Apply(uninterrupted, observations);

        int split = observations.FindIndex(o => o.StartMs >= Feed.Origin + (((2 * Feed.MinutesPerDay) + 600) * Feed.Minute));
        var first = new AnomalyDetector(new AnomalyOptions());
        List<Anomaly> actual = Apply(first, observations[..split]);
        byte[] checkpoint = Serialize(first);
        AnomalyDetector restored = AnomalyDetector.Deserialize(checkpoint, new AnomalyOptions());
        Assert.Equal(checkpoint, Serialize(restored));
        Assert.Equal(first.SeriesCount, restored.SeriesCount);
        actual.AddRange(Apply(restored, observations[split..]));

        Assert.Contains(expected, a => a.TimeMs >= observations[split].StartMs && a.WidthMs == Feed.Minute);
        Assert.Contains(expected, a => a.TimeMs >= observations[split].StartMs && a.WidthMs == Feed.Second);
        Assert.Equal(expected, actual);
        Assert.Equal(Serialize(uninterrupted), Serialize(restored));
    }

    [Fact]
    public void CountersAndRefusedSeries_SurviveARestart()
    {
        var detector = new AnomalyDetector(new AnomalyOptions { MaxSeries = 1 });
        detector.Observe(new SeriesKey(1, 0), Feed.Origin, Feed.Second, 5, out _);
        detector.Observe(new SeriesKey(2, 0), Feed.Origin, Feed.Minute, 5, out _);
        detector.Observe(new SeriesKey(1, 0), Feed.Origin, Feed.Second, 5, out _);
        AnomalyDetector restored = AnomalyDetector.Deserialize(Serialize(detector), new AnomalyOptions { MaxSeries = 1 });
        Assert.Equal((1, 1, 1L, 1L), (restored.SeriesCount, restored.IgnoredSeries, restored.IgnoredObservations, restored.StaleObservations));
    }

    [Fact]
    public void RestoringWithOtherSeasonalSettingsOrASmallerCap_KeepsWhatStillFits()
    {
        var detector = new AnomalyDetector(new AnomalyOptions());
        List<Anomaly> before = Apply(detector, Scenario());
        Assert.NotEmpty(before);
        byte[] checkpoint = Serialize(detector);

        AnomalyDetector fewerDays = AnomalyDetector.Deserialize(checkpoint, new AnomalyOptions { SeasonalDays = 1 });
        Assert.Equal(detector.SeriesCount, fewerDays.SeriesCount);
        var traffic = new Traffic(seed: 30);
        int from = (2 * Feed.MinutesPerDay) + (Feed.MinutesPerDay / 2);
        var found = Feed.Run(fewerDays, new SeriesKey(1, 1), Feed.Minute, from, from + Feed.MinutesPerDay,
            i => traffic.Count(500 * (1 + (0.5 * Math.Sin(2 * Math.PI * i / Feed.MinutesPerDay)))));
        Assert.True(found.Count <= 1, $"{found.Count} anomalies after restoring without the seasonal ring");

        AnomalyDetector capped = AnomalyDetector.Deserialize(checkpoint, new AnomalyOptions { MaxSeries = 2 });
        Assert.Equal(2, capped.SeriesCount);
        Assert.Equal(detector.SeriesCount - 2, capped.IgnoredSeries);
    }

    [Fact]
    public void Garbage_TruncationAndCorruption_RaiseInvalidDataException()
    {
        var random = new Random(31);
        foreach (int length in new[] { 0, 1, 7, 24, 40, 100, 5000 })
        {
            byte[] garbage = new byte[length];
            random.NextBytes(garbage);
            if (length > 0)
            {
                garbage[0] = AnomalyDetector.FormatVersion;
            }

            Assert.Throws<InvalidDataException>(() => AnomalyDetector.Deserialize(garbage, new AnomalyOptions()));
        }

        var detector = new AnomalyDetector(new AnomalyOptions());
        Apply(detector, Scenario()[..20_000]);
        byte[] valid = Serialize(detector);
        foreach (int cut in new[] { 1, 10, 30, valid.Length / 2, valid.Length - 1 })
        {
            Assert.Throws<InvalidDataException>(() => AnomalyDetector.Deserialize(valid.AsSpan(0, cut), new AnomalyOptions()));
        }

        for (int i = 0; i < 50; i++)
        {
            byte[] flipped = (byte[])valid.Clone();
            flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
            Assert.Throws<InvalidDataException>(() => AnomalyDetector.Deserialize(flipped, new AnomalyOptions()));
        }

        byte[] version = (byte[])valid.Clone();
        version[0] = 99;
        Assert.Throws<InvalidDataException>(() => AnomalyDetector.Deserialize(version, new AnomalyOptions()));
    }

    [Fact]
    public void ChecksummedButInvalidFields_RaiseInvalidDataException()
    {
        var detector = new AnomalyDetector(new AnomalyOptions());
        detector.Observe(new SeriesKey(1, 2), Feed.Origin, Feed.Second, 5, out _);
        byte[] valid = Serialize(detector);
        const int seriesCount = 3 + 16 + 4;
        const int firstSeries = seriesCount + 4;

        Assert.Throws<InvalidDataException>(() => AnomalyDetector.Deserialize(Patch(valid, seriesCount, b => BinaryPrimitives.WriteInt32LittleEndian(b, 1000)), new AnomalyOptions()));
        Assert.Throws<InvalidDataException>(() => AnomalyDetector.Deserialize(Patch(valid, firstSeries + 8, b => b[0] = 0x80), new AnomalyOptions()));
        Assert.Throws<InvalidDataException>(() => AnomalyDetector.Deserialize(Patch(valid, firstSeries + 9 + 8, b => BinaryPrimitives.WriteInt64LittleEndian(b, -1)), new AnomalyOptions()));
        Assert.Throws<InvalidDataException>(() => AnomalyDetector.Deserialize(Patch(valid, firstSeries + 9 + 24, b => BinaryPrimitives.WriteDoubleLittleEndian(b, double.NaN)), new AnomalyOptions()));
        Assert.Throws<InvalidDataException>(() => AnomalyDetector.Deserialize(Patch(valid, 1, b => b[0] = 8), new AnomalyOptions()));
    }

    /// <summary>Applies <paramref name="patch"/> at <paramref name="at"/> and re-seals the checksum.</summary>
    private static byte[] Patch(byte[] valid, int at, Action<Span<byte>> patch)
    {
        byte[] copy = (byte[])valid.Clone();
        patch(copy.AsSpan(at));
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(copy.Length - 4), Crc32C.Compute(copy.AsSpan(0, copy.Length - 4)));
        return copy;
    }

    private static byte[] Serialize(AnomalyDetector detector)
    {
        var writer = new ArrayBufferWriter<byte>();
        int written = detector.Serialize(writer);
        Assert.Equal(writer.WrittenCount, written);
        return writer.WrittenSpan.ToArray();
    }

    private static List<Anomaly> Apply(AnomalyDetector detector, List<Observation> observations)
    {
        var found = new List<Anomaly>();
        foreach (Observation o in observations)
        {
            if (detector.Observe(o.Key, o.StartMs, o.WidthMs, o.Value, out Anomaly anomaly))
            {
                found.Add(anomaly);
            }
        }

        return found;
    }

    /// <summary>
    /// Two seasonal per-minute series over 2.5 days and, in the last 4 hours, two per-second series,
    /// interleaved in time order as the engine would finalise them, with spikes and drops throughout.
    /// </summary>
    private static List<Observation> Scenario()
    {
        var traffic = new Traffic(seed: 29);
        var minuteKeys = new[] { new SeriesKey(1, 1), new SeriesKey(2, 0) };
        var secondKeys = new[] { new SeriesKey(1, 1), new SeriesKey(3, 0) };
        int minutes = (2 * Feed.MinutesPerDay) + (Feed.MinutesPerDay / 2);
        int secondsFrom = (minutes - 240) * 60;
        var observations = new List<Observation>();
        for (int minute = 0; minute < minutes; minute++)
        {
            if (minute * 60 >= secondsFrom)
            {
                for (int second = minute * 60; second < (minute + 1) * 60; second++)
                {
                    foreach (SeriesKey key in secondKeys)
                    {
                        double factor = second % 1500 == 700 ? 4 : second % 1500 == 1400 ? 0 : 1;
                        observations.Add(new(key, Feed.Origin + (second * Feed.Second), Feed.Second, traffic.Count(80 * key.Metric * factor)));
                    }
                }
            }

            foreach (SeriesKey key in minuteKeys)
            {
                double daily = 1 + (0.5 * Math.Sin(2 * Math.PI * minute / Feed.MinutesPerDay));
                double factor = minute % 240 == 200 ? 3 : minute % 240 == 100 ? 0.1 : 1;
                observations.Add(new(key, Feed.Origin + (minute * Feed.Minute), Feed.Minute, traffic.Count(500 * key.Metric * daily * factor)));
            }
        }

        return observations;
    }
}
