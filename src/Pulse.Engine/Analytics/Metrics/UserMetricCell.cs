using Pulse.Processing.Aggregation;
using Pulse.Processing.State;

namespace Pulse.Analytics.Metrics;

/// <summary>Where a user metric's aggregate lives: the metric, the bucket, and up to three group values (dictionary ids, 0 when unused or absent).</summary>
public readonly record struct UserMetricKey(string Metric, Resolution Resolution, long Bucket, int G1, int G2, int G3);

/// <summary>
/// One bucket of one group of a user metric: count, sum, min and max always; the distinct-value
/// sketch for <c>unique</c>, the quantile sketch for <c>percentile</c>. All mergeable.
/// </summary>
public sealed class UserMetricCell
{
    public long Count { get; set; }
    public double Sum { get; set; }
    public double Min { get; set; } = double.PositiveInfinity;
    public double Max { get; set; } = double.NegativeInfinity;
    public HyperLogLog? Distinct { get; set; }
    public DDSketch? Values { get; set; }
    public bool Dirty { get; set; }

    public void Add(double value)
    {
        Count++;
        Sum += value;
        Min = Math.Min(Min, value);
        Max = Math.Max(Max, value);
        Values?.Add(Math.Max(0, value));
    }

    public void Merge(UserMetricCell other)
    {
        Count += other.Count;
        Sum += other.Sum;
        Min = Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
        if (other.Distinct is not null)
        {
            (Distinct ??= new HyperLogLog()).Merge(other.Distinct);
        }

        if (other.Values is not null)
        {
            (Values ??= new DDSketch()).Merge(other.Values);
        }
    }
}
