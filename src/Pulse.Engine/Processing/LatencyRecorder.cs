namespace Pulse.Processing;

/// <summary>
/// Keeps the most recent latency samples in a fixed ring and answers percentiles over them; a
/// bounded, allocation-free record path suits a per-batch hot loop.
/// </summary>
public sealed class LatencyRecorder(int capacity = 4096)
{
    private readonly double[] _samples = new double[capacity];
    private long _written;

    public void Record(double milliseconds)
    {
        long slot = Interlocked.Increment(ref _written) - 1;
        _samples[slot % _samples.Length] = milliseconds;
    }

    public long Count => Interlocked.Read(ref _written);

    /// <summary>The <paramref name="quantile"/> (0..1) of the retained samples, or 0 when there are none.</summary>
    public double Percentile(double quantile)
    {
        int n = (int)Math.Min(Count, _samples.Length);
        if (n == 0)
        {
            return 0;
        }

        double[] copy = System.Buffers.ArrayPool<double>.Shared.Rent(n);
        try
        {
            Array.Copy(_samples, copy, n);
            Array.Sort(copy, 0, n);
            int index = (int)Math.Ceiling(quantile * n) - 1;
            return copy[Math.Clamp(index, 0, n - 1)];
        }
        finally
        {
            System.Buffers.ArrayPool<double>.Shared.Return(copy);
        }
    }
}
