namespace Pulse.Generate;

/// <summary>
/// The outcome of a run. <see cref="Sent"/> counts events transmitted (duplicate re-sends included,
/// retries not); <see cref="Truth"/> covers only acknowledged events (all written ones for a file).
/// </summary>
public sealed record GenerateSummary(
    long Sent,
    long Accepted,
    long Duplicates,
    long Rejected,
    long Retries,
    long FailedBatches,
    long ElapsedMs,
    double EventsPerSecond,
    double? AckLatencyP50Ms,
    double? AckLatencyP99Ms,
    bool Cancelled,
    TruthTotals Truth);
