using Pulse.Log;

namespace Pulse.Store;

/// <summary>
/// What the last committed checkpoints of a partition say: <see cref="Position"/>, the newest event
/// time and the event count are those of the last full checkpoint (the replay base);
/// <see cref="SecondsOffset"/> (at or after the base) is where the stored 1-second rows reach.
/// </summary>
public readonly record struct StoredCheckpoint(LogPosition Position, long MaxEventTimeMs, long EventsProcessed, long UpdatedMs, long SecondsOffset);
