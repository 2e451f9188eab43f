using System.Buffers;
using Pulse.Analytics;
using Pulse.Log;
using Pulse.Processing.Aggregation;

namespace Pulse.Processing;

/// <summary>A cell value as of a checkpoint (absolute, not a delta: re-applying it is harmless).</summary>
public readonly record struct CountRow(Resolution Resolution, long Bucket, CellKey Key, long Count, long RevenueMicros, long Late);

/// <summary>A sketch as of a checkpoint, serialized into its snapshot's <see cref="CheckpointSnapshot.SketchBytes"/>.</summary>
public readonly record struct UniqueRow(Resolution Resolution, long Bucket, CellKey Key, int SketchOffset, int SketchLength);

/// <summary>
/// Everything one partition changed since its previous checkpoint, and the log position its state
/// corresponds to. Written in one transaction, it makes state and offset agree: exactly-once.
/// </summary>
public sealed class CheckpointSnapshot(int partition)
{
    public int Partition { get; } = partition;
    public List<CountRow> Counts { get; } = [];
    public List<UniqueRow> Uniques { get; } = [];

    /// <summary>
    /// Every sketch of the snapshot back to back: one reused buffer instead of an array per sketch,
    /// so a checkpoint of many sketches makes no garbage.
    /// </summary>
    public ArrayBufferWriter<byte> SketchBytes { get; } = new(64 * 1024);
    public LogPosition Position { get; set; }

    /// <summary>Whether the partition's changes were taken since <see cref="Clear"/>; an untaken snapshot is not written.</summary>
    public bool Taken { get; set; }

    /// <summary>
    /// Whether the snapshot holds the changes of every resolution (a full checkpoint: the replay
    /// base moves to <see cref="Position"/>) or of the 1-second buckets only.
    /// </summary>
    public bool IncludesRollups { get; set; } = true;
    public long MaxEventTimeMs { get; set; }

    /// <summary>The partition's analytics changes and state; taken with full checkpoints only (null when analytics are off).</summary>
    public AnalyticsSnapshot? Analytics { get; set; }
    public long EventsProcessed { get; set; }

    public ReadOnlySpan<byte> SketchOf(in UniqueRow row) => SketchBytes.WrittenSpan.Slice(row.SketchOffset, row.SketchLength);

    /// <summary>Empties the snapshot for reuse by the next checkpoint (capacity is kept).</summary>
    public void Clear()
    {
        Taken = false;
        Counts.Clear();
        Uniques.Clear();
        SketchBytes.ResetWrittenCount();
        Analytics?.Clear();
    }
}
