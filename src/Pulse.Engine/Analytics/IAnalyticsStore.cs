using Pulse.Analytics.Funnels;
using Pulse.Analytics.Sessions;

namespace Pulse.Analytics;

/// <summary>
/// Reads one stored aggregate back when a change reaches a bucket that already left memory (a long
/// session ending into the bucket it started in, say). Absent aggregates return null.
/// </summary>
public interface IAnalyticsStore
{
    SessionCell? TryLoadSessionCell(int partition, in SessionCellKey key);

    long? TryLoadSessionPage(int partition, in SessionPageKey key);

    FunnelCell? TryLoadFunnelCell(int partition, in FunnelCellKey key);
}

/// <summary>Evaluates every compiled predicate on one encoded event; bit i is predicate i.</summary>
public delegate ulong PredicateEvaluator(in Pulse.Events.EncodedEvent e);
