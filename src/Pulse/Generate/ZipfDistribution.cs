namespace Pulse.Generate;

/// <summary>
/// Zipf(s) over ranks 0..n-1 by inverse CDF and binary search: O(log n) per draw and exact for any
/// s, which matters because product popularity drives the top-N queries the engine is tested on.
/// </summary>
internal sealed class ZipfDistribution
{
    private readonly double[] _cumulative;

    public ZipfDistribution(int count, double exponent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _cumulative = new double[count];
        double total = 0;
        for (int rank = 0; rank < count; rank++)
        {
            total += 1.0 / Math.Pow(rank + 1, exponent);
            _cumulative[rank] = total;
        }

        for (int rank = 0; rank < count; rank++)
        {
            _cumulative[rank] /= total;
        }

        _cumulative[^1] = 1.0;
    }

    public int Count => _cumulative.Length;

    public int SampleRank(double uniform)
    {
        int index = Array.BinarySearch(_cumulative, uniform);
        // BinarySearch returns the complement of the first larger element when there is no exact match.
        int rank = index >= 0 ? index + 1 : ~index;
        return rank < _cumulative.Length ? rank : _cumulative.Length - 1;
    }
}
