using Pulse.Analytics;
using Pulse.Analytics.Patterns;

namespace Pulse.Tests.Analytics.Patterns;

/// <summary>
/// The pattern semantics written directly from their definitions over one user's whole sorted
/// event list (quadratic or worse, no incremental state), to check the streaming matchers against.
/// </summary>
internal static class ReferenceMatcher
{
    public static List<PatternMatch> Run(PatternDefinition d, ulong[] masks, List<UserEvent> events) => d.Kind switch
    {
        PatternKind.Absence => Absence(d, masks, events),
        PatternKind.Count => Count(d, masks, events),
        _ => Sequence(d, masks, events),
    };

    private static bool Is(UserEvent e, ulong mask) => (e.Predicates & mask) != 0;

    private static List<PatternMatch> Absence(PatternDefinition d, ulong[] masks, List<UserEvent> ev)
    {
        var result = new List<PatternMatch>();
        bool session = d.Scope == PatternScope.Session;
        int i = 0;
        while (true)
        {
            int c = ev.FindIndex(i, e => Is(e, masks[0]));
            if (c < 0)
            {
                return result;
            }

            long deadline = ev[c].TimeMs + d.WithinMs;
            int count = 1;
            long revenue = ev[c].RevenueMicros;
            long? fireAt = deadline;
            int next = ev.Count;
            for (int k = c + 1; k < ev.Count; k++)
            {
                if (ev[k].TimeMs > deadline)
                {
                    next = k;
                    break;
                }

                if (session && ev[k].SessionStartMs != ev[c].SessionStartMs)
                {
                    fireAt = Math.Min(deadline, ev[k].SessionStartMs);
                    next = k;
                    break;
                }

                if (Is(ev[k], masks[1]))
                {
                    fireAt = null;
                    next = k;
                    break;
                }

                if (Is(ev[k], masks[0]))
                {
                    count++;
                    revenue += ev[k].RevenueMicros;
                }
            }

            if (fireAt is long t)
            {
                UserEvent f = ev[c];
                result.Add(new PatternMatch(t, f.TimeMs, f.SessionStartMs, count, f.Offset, f.Offset, f.Page, f.Product, revenue));
            }

            i = next;
        }
    }

    private static List<PatternMatch> Count(PatternDefinition d, ulong[] masks, List<UserEvent> ev)
    {
        var result = new List<PatternMatch>();
        var matched = new HashSet<int>();
        for (int i = 0; i < ev.Count; i++)
        {
            if (!Is(ev[i], masks[0]))
            {
                continue;
            }

            var window = new List<int>();
            for (int j = 0; j <= i; j++)
            {
                bool sameSession = d.Scope == PatternScope.User || ev[j].SessionStartMs == ev[i].SessionStartMs;
                if (Is(ev[j], masks[0]) && sameSession && ev[i].TimeMs - ev[j].TimeMs <= d.WithinMs)
                {
                    window.Add(j);
                }
            }

            if (window.Count < d.AtLeast || window.Exists(matched.Contains))
            {
                continue;
            }

            List<int> taken = window.GetRange(window.Count - d.AtLeast, d.AtLeast);
            matched.UnionWith(taken);
            UserEvent first = ev[taken[0]];
            long revenue = 0;
            foreach (int t in taken)
            {
                revenue += ev[t].RevenueMicros;
            }

            result.Add(new PatternMatch(ev[i].TimeMs, first.TimeMs, first.SessionStartMs, d.AtLeast, first.Offset, ev[i].Offset, first.Page, first.Product, revenue));
        }

        return result;
    }

    private static List<PatternMatch> Sequence(PatternDefinition d, ulong[] masks, List<UserEvent> ev)
    {
        var result = new List<PatternMatch>();
        int k = masks.Length;
        int from = 0;
        for (int c = 0; c < ev.Count; c++)
        {
            if (!Is(ev[c], masks[k - 1]))
            {
                continue;
            }

            for (int s = c - 1; s >= from; s--)
            {
                bool inScope = d.Scope == PatternScope.User || ev[s].SessionStartMs == ev[c].SessionStartMs;
                if (!Is(ev[s], masks[0]) || !inScope || ev[c].TimeMs - ev[s].TimeMs > d.WithinMs)
                {
                    continue;
                }

                int step = 1;
                for (int m = s + 1; m < c && step < k - 1; m++)
                {
                    if (Is(ev[m], masks[step]))
                    {
                        step++;
                    }
                }

                if (step == k - 1)
                {
                    UserEvent f = ev[s];
                    result.Add(new PatternMatch(ev[c].TimeMs, f.TimeMs, f.SessionStartMs, k, f.Offset, ev[c].Offset, f.Page, f.Product, ev[c].RevenueMicros));
                    from = c + 1;
                    break;
                }
            }
        }

        return result;
    }
}
