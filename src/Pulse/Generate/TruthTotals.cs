namespace Pulse.Generate;

/// <summary>The ground-truth part of the summary. Event times are epoch milliseconds.</summary>
public sealed record TruthTotals(
    long Events,
    IReadOnlyDictionary<string, long> ByType,
    long PageViews,
    long UniqueUsers,
    decimal Revenue,
    long Orders,
    long? MinEventTimeMs,
    long? MaxEventTimeMs);
