namespace Pulse.Metrics;

/// <summary>
/// One histogram series as a fixed array of bucket counts (non-cumulative; the writer accumulates)
/// and a sum, all updated with Interlocked: recording takes no lock and allocates nothing.
/// </summary>
internal sealed class HistogramSeries(double[] bounds)
{
    private readonly long[] _counts = new long[bounds.Length + 1];
    private long _sumBits;

    public double[] Bounds => bounds;

    public void Record(double value)
    {
        if (double.IsNaN(value))
        {
            return;
        }

        // Prometheus buckets are "less than or equal": the first bound >= value; past the last is +Inf.
        int index = Array.BinarySearch(bounds, value);
        if (index < 0)
        {
            index = ~index;
        }

        Interlocked.Increment(ref _counts[index]);
        AtomicDouble.Add(ref _sumBits, value);
    }

    /// <summary>Copies the per-bucket counts (length bounds + 1, the last is above every bound) and returns the sum.</summary>
    public double Snapshot(Span<long> counts)
    {
        for (int i = 0; i < _counts.Length; i++)
        {
            counts[i] = Interlocked.Read(ref _counts[i]);
        }

        return BitConverter.Int64BitsToDouble(Interlocked.Read(ref _sumBits));
    }
}
