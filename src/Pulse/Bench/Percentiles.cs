namespace Pulse.Bench;

/// <summary>Nearest-rank percentiles and the min/median/max summary over repeated runs.</summary>
internal static class Percentiles
{
    /// <summary>The nearest-rank percentile (0..100] of ascending <paramref name="sorted"/>; NaN when empty.</summary>
    public static double NearestRank(ReadOnlySpan<double> sorted, double percentile)
    {
        if (sorted.IsEmpty)
        {
            return double.NaN;
        }

        int rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    /// <summary>The median of the values (mean of the two middle ones for an even count); NaN when empty.</summary>
    public static double Median(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return double.NaN;
        }

        double[] sorted = values.ToArray();
        Array.Sort(sorted);
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
