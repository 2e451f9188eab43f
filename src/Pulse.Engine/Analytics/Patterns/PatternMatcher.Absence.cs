namespace Pulse.Analytics.Patterns;

/// <summary>
/// Absence: a <c>first</c> event opens a candidate; an <c>absent</c> event after it (in event
/// order) with time ≤ first + within cancels it (in the same session with scope session). It fires
/// once that time span is over, or, with scope session, when the session ended. Further
/// <c>first</c> events while a candidate is pending join it (so ten add_to_carts are one abandoned
/// cart); once it fired or was cancelled the next <c>first</c> opens a new one. An event that is both
/// <c>absent</c> and <c>first</c> cancels the pending candidate and opens the next.
/// </summary>
public sealed partial class PatternMatcher
{
    private void AbsenceEvent(PatternState state, in UserEvent e, bool sessionChanged, List<PatternMatch> matches)
    {
        bool joined = false;
        if (state.Used != 0)
        {
            ref PatternEntry c = ref state.Entries[0];
            long deadline = c.TimeMs + Definition.WithinMs;
            if (e.TimeMs > deadline)
            {
                FireAbsence(state, deadline, matches);
            }
            else if (sessionChanged && Definition.Scope == PatternScope.Session)
            {
                FireAbsence(state, Math.Min(deadline, e.SessionStartMs), matches);
            }
            else if (Is(e, 1))
            {
                state.Used = 0;
            }
            else if (Is(e, 0))
            {
                c.Count++;
                c.RevenueMicros += e.RevenueMicros;
                joined = true;
            }
        }

        if (!joined && Is(e, 0))
        {
            state.Entries[0] = PatternEntry.From(e);
            state.Used = 1;
        }
    }

    private void AbsenceWatermark(PatternState state, long watermarkMs, List<PatternMatch> matches)
    {
        if (state.Used != 0)
        {
            long deadline = state.Entries[0].TimeMs + Definition.WithinMs;
            if (watermarkMs >= deadline)
            {
                FireAbsence(state, deadline, matches);
            }
        }
    }

    private void CloseAbsenceSession(PatternState state, long sessionEndMs, List<PatternMatch> matches)
    {
        if (state.Used != 0)
        {
            FireAbsence(state, Math.Min(state.Entries[0].TimeMs + Definition.WithinMs, sessionEndMs), matches);
        }
    }

    private static void FireAbsence(PatternState state, long timeMs, List<PatternMatch> matches)
    {
        ref PatternEntry c = ref state.Entries[0];
        matches.Add(new PatternMatch(timeMs, c.TimeMs, c.SessionStartMs, c.Count, c.Offset, c.Offset, c.Page, c.Product, c.RevenueMicros));
        state.Used = 0;
    }
}
