namespace Pulse.Hosting;

/// <summary>
/// A partition whose stored rollups did not match its checkpoint at start: the day rollups held
/// <paramref name="StoredEvents"/> events where the checkpoint counted <paramref name="CheckpointEvents"/>.
/// <paramref name="Rebuilt"/>: its rows were cleared and are recomputed from the log (exact, since the
/// log still held every record); otherwise the log no longer did and the stored rows were kept as they are.
/// </summary>
public readonly record struct StoreDivergence(int Partition, long StoredEvents, long CheckpointEvents, bool Rebuilt);
