using Pulse.Processing.State;

namespace Pulse.Query;

/// <summary>The running values of one group while a query scans cells.</summary>
internal sealed class GroupAccumulator(int a, int b, int c, int steps, bool unique)
{
    private long _total;
    private long[]? _points;
    private HyperLogLog? _totalSketch;
    private HyperLogLog?[]? _pointSketches;

    public int A { get; } = a;
    public int B { get; } = b;
    public int C { get; } = c;

    /// <summary>Counts and sums add up; sketches merge, so a range's total is never a sum of its points.</summary>
    public long Total => unique ? _totalSketch?.Estimate() ?? 0 : _total;

    public void Add(int step, long value)
    {
        _total += value;
        if (steps > 0)
        {
            (_points ??= new long[steps])[step] += value;
        }
    }

    public void Merge(int step, HyperLogLog sketch)
    {
        (_totalSketch ??= new HyperLogLog()).Merge(sketch);
        if (steps > 0)
        {
            _pointSketches ??= new HyperLogLog?[steps];
            (_pointSketches[step] ??= new HyperLogLog()).Merge(sketch);
        }
    }

    public long PointValue(int step) => unique
        ? _pointSketches?[step]?.Estimate() ?? 0
        : _points?[step] ?? 0;
}
