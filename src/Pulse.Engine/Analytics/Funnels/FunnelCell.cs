using Pulse.Processing.Aggregation;
using Pulse.Processing.State;

namespace Pulse.Analytics.Funnels;

/// <summary>Where a funnel step aggregate lives: funnel (by index in the running set), step, and the bucket of the funnel's first step.</summary>
public readonly record struct FunnelCellKey(int Funnel, int Step, Resolution Resolution, long Bucket);

/// <summary>The sessions (exact) and users (HyperLogLog) that reached one step of one funnel, by when they entered the funnel.</summary>
public sealed class FunnelCell
{
    public long Sessions { get; set; }
    public HyperLogLog Users { get; init; } = new();
    public bool Dirty { get; set; }
}
