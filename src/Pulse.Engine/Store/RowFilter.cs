using Pulse.Processing.Aggregation;

namespace Pulse.Store;

/// <summary>Which rows a scan reads: one cuboid of one resolution over a bucket range, with dimension equalities.</summary>
public sealed class RowFilter
{
    public Resolution Resolution { get; init; }
    public Dimension Mask { get; init; }
    public long FromBucket { get; init; }
    public long ToBucket { get; init; }

    /// <summary>Dimension → required dictionary id.</summary>
    public IReadOnlyList<(Dimension Dimension, int Id)> Equalities { get; init; } = [];
}
