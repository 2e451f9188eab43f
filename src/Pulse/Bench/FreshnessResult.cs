namespace Pulse.Bench;

/// <summary>End-to-end POST→visible times (sorted, ms) and the probes never seen within the timeout.</summary>
internal sealed record FreshnessResult(double[] SortedMs, int Timeouts);
