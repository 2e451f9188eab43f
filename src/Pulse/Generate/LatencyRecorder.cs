namespace Pulse.Generate;

/// <summary>Ack latency of every acknowledged POST, exact percentiles at the end (a few bytes per POST).</summary>
internal sealed class LatencyRecorder
{
    private readonly List<double> _milliseconds = new(4096);
    private readonly Lock _lock = new();

    public void Record(TimeSpan elapsed)
    {
        lock (_lock)
        {
            _milliseconds.Add(elapsed.TotalMilliseconds);
        }
    }

    /// <summary>The nearest-rank percentile (0..100), or null without samples.</summary>
    public (double? P50, double? P99) Percentiles()
    {
        double[] sorted;
        lock (_lock)
        {
            sorted = [.. _milliseconds];
        }

        if (sorted.Length == 0)
        {
            return (null, null);
        }

        Array.Sort(sorted);
        return (NearestRank(sorted, 50), NearestRank(sorted, 99));
    }

    private static double NearestRank(double[] sorted, double percentile)
    {
        int rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
