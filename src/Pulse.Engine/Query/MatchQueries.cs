using Pulse.Analytics;
using Pulse.Processing;
using Pulse.Store;

namespace Pulse.Query;

/// <summary>
/// Answers <c>GET /v1/patterns/{name}/matches</c>: stored matches, plus the ones found since each
/// partition's last full checkpoint (still in memory). A match seen in both while its checkpoint
/// commits is reported once.
/// </summary>
public sealed class MatchQueries(IReadOnlyList<PartitionState> states, IRollupScans store)
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

    /// <summary>
    /// A pattern's matches as a count metric (<c>GET /v1/metrics/{pattern}</c>): per step of
    /// <paramref name="stepMs"/> (0: one total), by the time each match became certain.
    /// </summary>
    public MetricResult Count(string pattern, long from, long to, long stepMs, string? stepName, long watermark)
    {
        if (stepMs > 0)
        {
            from = QueryPlan.FloorTo(from, stepMs);
            to = QueryPlan.CeilTo(to, stepMs);
        }

        int steps = stepMs == 0 ? 0 : (int)((to - from) / stepMs);
        long[] points = new long[Math.Max(1, steps)];
        long total = 0;
        foreach ((long ts, long count) in store.CountMatchesByTime(pattern, from, to, stepMs == 0 ? to - from : stepMs))
        {
            points[steps == 0 ? 0 : (int)((ts - from) / stepMs)] += count;
            total += count;
        }

        foreach (PartitionState state in states)
        {
            if (state.Analytics is not { } analytics)
            {
                continue;
            }

            List<PatternMatchRecord> unsaved;
            lock (state.Gate)
            {
                unsaved = [.. analytics.UnsavedMatches.Where(m => m.Pattern == pattern && m.TimeMs >= from && m.TimeMs < to)];
            }

            foreach (PatternMatchRecord match in unsaved)
            {
                // A match whose checkpoint committed since the read above is counted once, by the store.
                if (!store.HasMatch(state.Partition, match))
                {
                    points[steps == 0 ? 0 : (int)((match.TimeMs - from) / stepMs)]++;
                    total++;
                }
            }
        }

        return new MetricResult
        {
            Metric = pattern,
            From = from,
            To = to,
            Step = stepName,
            Resolution = "match",
            Watermark = watermark,
            Series =
            [
                new MetricSeries
                {
                    Group = new Dictionary<string, string?>(),
                    Total = total,
                    Points = steps == 0 ? null : [.. Enumerable.Range(0, steps).Select(s => (from + (s * stepMs), (decimal)points[s]))],
                },
            ],
        };
    }
}
