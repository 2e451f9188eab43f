using Pulse.Processing.Aggregation;
using Pulse.Processing.State;

namespace Pulse.Analytics.Funnels;

/// <summary>Where a funnel step aggregate lives: funnel (by name), step, and the bucket of the funnel's first step.</summary>
public readonly record struct FunnelCellKey(string Funnel, int Step, Resolution Resolution, long Bucket);

/// <summary>The sessions (exact) and users (HyperLogLog) that reached one step of one funnel, by when they entered the funnel.</summary>
public sealed class FunnelCell
{
    public long Sessions { get; set; }
    public HyperLogLog Users { get; init; } = new();
    public bool Dirty { get; set; }
}
