using Pulse.Processing.State;

namespace Pulse.Processing.Aggregation;

/// <summary>A distinct-user sketch of one cell.</summary>
public sealed class UniqueCell(HyperLogLog sketch)
{
    public HyperLogLog Sketch { get; } = sketch;

    /// <summary>Changed since the last checkpoint.</summary>
    public bool Dirty { get; set; }
}
