namespace Pulse.Bench;

/// <summary>Ack latencies (sorted, ms) of a <see cref="PacedLoad"/> run and the rate it achieved.</summary>
internal sealed record PacedResult(double[] SortedLatencyMs, double EventsPerSecond, long Failures, string? LastFailure);
