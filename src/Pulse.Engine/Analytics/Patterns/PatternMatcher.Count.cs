namespace Pulse.Analytics.Patterns;

/// <summary>
/// Count: a matching event completes a match when it and the at_least − 1 matching events before
/// it (same session with scope session) span at most <c>within</c>. The pattern then re-arms only
/// once its window has moved past the matched events: the next match needs its completing event
/// more than <c>within</c> after this one's. So a burst of 7 purchases in 60 s is one match, and two
/// bursts 2 minutes apart are two.
/// </summary>
public sealed partial class PatternMatcher
{
    private void CountEvent(PatternState state, in UserEvent e, bool sessionChanged, List<PatternMatch> matches)
    {
        if (sessionChanged && Definition.Scope == PatternScope.Session)
        {
            ResetCount(state);
        }

        if (!Is(e, 0))
        {
            return;
        }

        PatternEntry[] ring = state.Entries;
        int n = ring.Length;
        if (state.Used < n)
        {
            ring[(state.Head + state.Used) % n] = PatternEntry.From(e);
            state.Used++;
        }
        else
        {
            ring[state.Head] = PatternEntry.From(e);
            state.Head = (state.Head + 1) % n;
        }

        long within = Definition.WithinMs;
        if (state.Used < n || e.TimeMs - ring[state.Head].TimeMs > within)
        {
            return;
        }

        if (state.HasMatched && e.TimeMs - state.LastMatchedMs <= within)
        {
            return;
        }

        ref PatternEntry oldest = ref ring[state.Head];
        long revenue = 0;
        foreach (PatternEntry entry in ring)
        {
            revenue += entry.RevenueMicros;
        }

        matches.Add(new PatternMatch(e.TimeMs, oldest.TimeMs, oldest.SessionStartMs, n, oldest.Offset, e.Offset, oldest.Page, oldest.Product, revenue));
        state.HasMatched = true;
        state.LastMatchedMs = e.TimeMs;
    }

    private static void ResetCount(PatternState state)
    {
        state.Used = 0;
        state.Head = 0;
        state.HasMatched = false;
        state.LastMatchedMs = 0;
    }

    private static ref PatternEntry Newest(PatternState state) =>
        ref state.Entries[(state.Head + state.Used - 1) % state.Entries.Length];
}
