using Pulse.Log;

namespace Pulse.Store;

/// <summary>What the last committed checkpoint of a partition says.</summary>
public readonly record struct StoredCheckpoint(LogPosition Position, long MaxEventTimeMs, long EventsProcessed, long UpdatedMs);
