namespace Pulse.Bench;

/// <summary>One window of <see cref="SustainedLoad"/>: the accepted rate and the CPU both sides spent on it.</summary>
internal sealed record SustainedResult(
    double EventsPerSecond,
    long Accepted,
    long Requests,
    long Failures,
    string? LastFailure,
    double Seconds,
    double ServerCpuCores,
    double ClientCpuCores,
    long ServerRssBytes);
