namespace Pulse.Processing.Aggregation;

/// <summary>Exact additive values of one cell. Revenue is in micro-units so sums never round.</summary>
public struct CountCell
{
    public long Count;
    public long RevenueMicros;
    public long Late;

    /// <summary>Changed since the last checkpoint.</summary>
    public bool Dirty;
}
