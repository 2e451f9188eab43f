namespace Pulse.Analytics.Patterns;

/// <summary>
/// Sequence: steps in order, other events may come between, the last at most <c>within</c> after
/// the first (same session with scope session). For each number of steps done only the partial
/// match that started latest is kept: it has the most time left, so it completes whenever any
/// would, and state stays one entry per step. A match consumes its events and every partial match:
/// matching starts over after the completing event. One event advances a partial match by at most
/// one step.
/// </summary>
public sealed partial class PatternMatcher
{
    private void SequenceEvent(PatternState state, in UserEvent e, bool sessionChanged, List<PatternMatch> matches)
    {
        if (sessionChanged && Definition.Scope == PatternScope.Session)
        {
            ClearSequence(state);
        }

        PatternEntry[] runs = state.Entries;
        int last = runs.Length;
        long within = Definition.WithinMs;
        for (int j = last; j >= 1; j--)
        {
            ref PatternEntry before = ref runs[j - 1];
            if (!before.Valid)
            {
                continue;
            }

            if (e.TimeMs - before.TimeMs > within)
            {
                before.Valid = false;
                continue;
            }

            if (!Is(e, j))
            {
                continue;
            }

            if (j == last)
            {
                matches.Add(new PatternMatch(e.TimeMs, before.TimeMs, before.SessionStartMs, last + 1, before.Offset, e.Offset, before.Page, before.Product, e.RevenueMicros));
                ClearSequence(state);
                return;
            }

            if (!runs[j].Valid || before.IsAfter(runs[j]))
            {
                runs[j] = before;
            }
        }

        if (Is(e, 0))
        {
            runs[0] = PatternEntry.From(e);
        }
    }

    private static void ClearSequence(PatternState state) => Array.Clear(state.Entries);
}
