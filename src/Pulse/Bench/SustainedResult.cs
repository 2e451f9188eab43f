namespace Pulse.Bench;

/// <summary>
/// One window of <see cref="SustainedLoad"/>: the accepted rate, the rate the processors kept up
/// with (accepted minus the growth of their backlog; NaN without a pipeline to ask), and the CPU
/// both sides spent on it.
/// </summary>
internal sealed record SustainedResult(
    double EventsPerSecond,
    double ProcessedPerSecond,
    long Accepted,
    long Requests,
    long Failures,
    string? LastFailure,
    double Seconds,
    double ServerCpuCores,
    double ClientCpuCores,
    long ServerRssBytes);
