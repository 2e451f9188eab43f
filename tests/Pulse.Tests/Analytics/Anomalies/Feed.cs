using Pulse.Analytics.Anomalies;

namespace Pulse.Tests.Analytics.Anomalies;

internal static class Feed
{
    public const long Second = 1000;
    public const long Minute = 60_000;
    public const int MinutesPerDay = 1440;

    /// <summary>A UTC midnight, so minute i of a run is minute i of its day.</summary>
    public const long Origin = 1_780_000_000_000 / (MinutesPerDay * Minute) * (MinutesPerDay * Minute);

    /// <summary>Feeds buckets <paramref name="from"/> ≤ i &lt; <paramref name="to"/> of one series and returns the anomalies with their bucket numbers.</summary>
    public static List<(int Bucket, Anomaly Anomaly)> Run(AnomalyDetector detector, SeriesKey key, long widthMs, int from, int to, Func<int, double> value)
    {
        var found = new List<(int, Anomaly)>();
        for (int i = from; i < to; i++)
        {
            if (detector.Observe(key, Origin + (i * widthMs), widthMs, value(i), out Anomaly anomaly))
            {
                found.Add((i, anomaly));
            }
        }

        return found;
    }
}
