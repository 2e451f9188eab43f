using Pulse.Log;
using Pulse.Processing.Aggregation;

namespace Pulse.Processing;

/// <summary>A cell value as of a checkpoint (absolute, not a delta: re-applying it is harmless).</summary>
public readonly record struct CountRow(Resolution Resolution, long Bucket, CellKey Key, long Count, long RevenueMicros, long Late);

/// <summary>A serialized sketch as of a checkpoint.</summary>
public readonly record struct UniqueRow(Resolution Resolution, long Bucket, CellKey Key, byte[] Sketch);

/// <summary>
/// Everything one partition changed since its previous checkpoint, and the log position its state
/// corresponds to. Written in one transaction, it makes state and offset agree: exactly-once.
/// </summary>
public sealed class CheckpointSnapshot(int partition)
{
    public int Partition { get; } = partition;
    public List<CountRow> Counts { get; } = [];
    public List<UniqueRow> Uniques { get; } = [];
    public LogPosition Position { get; set; }
    public long MaxEventTimeMs { get; set; }
    public long EventsProcessed { get; set; }
}
