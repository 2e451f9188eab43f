using Pulse.Analytics;
using Pulse.Processing;
using Pulse.Store;

namespace Pulse.Query;

/// <summary>
/// Answers <c>GET /v1/patterns/{name}/matches</c>: stored matches, plus the ones found since each
/// partition's last full checkpoint (still in memory). A match seen in both while its checkpoint
/// commits is reported once.
/// </summary>
public sealed class MatchQueries(IReadOnlyList<PartitionState> states, SqliteStore store)
{
    public List<PatternMatchRecord> Execute(string pattern, long from, long to, int limit)
    {
        var seen = new HashSet<PatternMatchRecord>();
        var matches = new List<PatternMatchRecord>();
        foreach (PartitionState state in states)
        {
            if (state.Analytics is not { } analytics)
            {
                continue;
            }

            lock (state.Gate)
            {
                foreach (PatternMatchRecord match in analytics.UnsavedMatches)
                {
                    if (match.Pattern == pattern && match.TimeMs >= from && match.TimeMs < to && seen.Add(match))
                    {
                        matches.Add(match);
                    }
                }
            }
        }

        foreach (PatternMatchRecord match in store.ScanMatches(pattern, from, to, limit))
        {
            if (seen.Add(match))
            {
                matches.Add(match);
            }
        }

        matches.Sort((a, b) => b.TimeMs != a.TimeMs ? b.TimeMs.CompareTo(a.TimeMs) : string.CompareOrdinal(a.UserId, b.UserId));
        if (matches.Count > limit)
        {
            matches.RemoveRange(limit, matches.Count - limit);
        }

        return matches;
    }
}
