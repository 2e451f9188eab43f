using System.Diagnostics;

namespace Pulse.Bench;

/// <summary>
/// Latencies in milliseconds recorded into a pre-sized array (no allocation or lock per sample);
/// samples beyond the capacity are counted but not kept.
/// </summary>
internal sealed class LatencySamples
{
    private readonly double[] _milliseconds;
    private int _count;

    public LatencySamples(int capacity) => _milliseconds = new double[capacity];

    public int Count => Math.Min(Volatile.Read(ref _count), _milliseconds.Length);

    public void RecordSince(long startTimestamp) => Record(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds);

    public void Record(double milliseconds)
    {
        int index = Interlocked.Increment(ref _count) - 1;
        if (index < _milliseconds.Length)
        {
            _milliseconds[index] = milliseconds;
        }
    }

    /// <summary>A sorted copy of the kept samples.</summary>
    public double[] Sorted()
    {
        double[] sorted = _milliseconds.AsSpan(0, Count).ToArray();
        Array.Sort(sorted);
        return sorted;
    }
}
