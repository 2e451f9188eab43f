using Pulse.Analytics.Predicates;

namespace Pulse.Analytics.Patterns;

/// <summary>
/// Runs one compiled pattern over each user's events. Stateless itself (one per pattern, shared by
/// all users of a partition); each user's progress is a <see cref="PatternState"/>. The caller
/// releases a user's events in event-time order (ties in log order) once the watermark has
/// passed them, calls <see cref="OnWatermark"/> as the watermark advances (after releasing every
/// event at or before it), and may call <see cref="OnSessionEnd"/> when the sessionizer closes a
/// session. Matches only depend on the events, never on when the hooks are called, so a run
/// restored from a checkpoint produces exactly the matches of an uninterrupted one.
/// </summary>
public sealed partial class PatternMatcher
{
    private readonly ulong[] _masks;

    private PatternMatcher(PatternDefinition definition, ulong[] masks)
    {
        Definition = definition;
        _masks = masks;
    }

    public PatternDefinition Definition { get; }

    /// <summary>
    /// Compiles <paramref name="definition"/>, adding its predicates to <paramref name="predicates"/>
    /// (equal ones share a bit). Null, with an error, when the set has no room for them; nothing
    /// is added then.
    /// </summary>
    public static PatternMatcher? TryCreate(PatternDefinition definition, PredicateSet predicates, List<DefinitionError> errors)
    {
        int missing = predicates.CountMissing(definition.Predicates);
        if (predicates.Count + missing > PredicateSet.Capacity)
        {
            errors.Add(new DefinitionError("", $"this pattern needs {missing} new event conditions but only {PredicateSet.Capacity - predicates.Count} of the {PredicateSet.Capacity} the engine evaluates (over all funnels and patterns) are free; reuse conditions of other definitions or delete some"));
            return null;
        }

        var masks = new ulong[definition.Predicates.Count];
        for (int i = 0; i < masks.Length; i++)
        {
            if (!predicates.TryAdd(definition.Predicates[i], out int bit))
            {
                errors.Add(new DefinitionError("", $"the engine evaluates at most {PredicateSet.MaxPropertyNames} distinct property names over all funnels and patterns; this pattern's conditions would exceed that"));
                return null;
            }

            masks[i] = 1UL << bit;
        }

        return new PatternMatcher(definition, masks);
    }

    /// <summary>Compiles a definition known to be valid (built-ins); throws when the set is full.</summary>
    public static PatternMatcher Create(PatternDefinition definition, PredicateSet predicates)
    {
        var errors = new List<DefinitionError>();
        return TryCreate(definition, predicates, errors) ?? throw new InvalidOperationException(string.Join("; ", errors));
    }

    /// <summary>A user's empty state; the only allocation the matcher makes.</summary>
    public PatternState NewState() => new(Definition.Kind, Definition.Fingerprint, NewStateSlots());

    /// <summary>Applies the user's next event. Events not after the last one applied (replays) are ignored.</summary>
    public void OnEvent(PatternState state, in UserEvent e, List<PatternMatch> matches)
    {
        CheckState(state);
        if (state.HasLast && (e.TimeMs < state.LastTimeMs || (e.TimeMs == state.LastTimeMs && e.Offset <= state.LastOffset)))
        {
            return;
        }

        bool sessionChanged = state.HasSession && state.SessionStartMs != e.SessionStartMs;
        switch (Definition.Kind)
        {
            case PatternKind.Absence:
                AbsenceEvent(state, e, sessionChanged, matches);
                break;
            case PatternKind.Count:
                CountEvent(state, e, sessionChanged, matches);
                break;
            default:
                SequenceEvent(state, e, sessionChanged, matches);
                break;
        }

        state.HasLast = true;
        state.LastTimeMs = e.TimeMs;
        state.LastOffset = e.Offset;
        state.HasSession = true;
        state.SessionStartMs = e.SessionStartMs;
    }

    /// <summary>
    /// Every event at or before <paramref name="watermarkMs"/> has been released: absences whose
    /// time span ended by then are certain and fire.
    /// </summary>
    public void OnWatermark(PatternState state, long watermarkMs, List<PatternMatch> matches)
    {
        CheckState(state);
        if (Definition.Kind == PatternKind.Absence)
        {
            AbsenceWatermark(state, watermarkMs, matches);
        }
    }

    /// <summary>
    /// The user's session that started at <paramref name="sessionStartMs"/> ended at
    /// <paramref name="sessionEndMs"/>: with scope session, a pending absence in it fires (no
    /// <c>absent</c> event can come in that session any more) and partial matches in it are
    /// dropped. Call it before <see cref="OnWatermark"/> passes <paramref name="sessionEndMs"/>.
    /// Optional: a user's first event in a new session has the same effect.
    /// </summary>
    public void OnSessionEnd(PatternState state, long sessionStartMs, long sessionEndMs, List<PatternMatch> matches)
    {
        CheckState(state);
        if (Definition.Scope != PatternScope.Session || !state.HasSession || state.SessionStartMs != sessionStartMs)
        {
            return;
        }

        switch (Definition.Kind)
        {
            case PatternKind.Absence:
                CloseAbsenceSession(state, sessionEndMs, matches);
                break;
            case PatternKind.Count:
                ResetCount(state);
                break;
            default:
                ClearSequence(state);
                break;
        }
    }

    /// <summary>
    /// True when the state can no longer contribute to a match given that every later event is
    /// after <paramref name="watermarkMs"/>: the caller may drop it (a fresh state then behaves the same).
    /// </summary>
    public bool IsIdle(PatternState state, long watermarkMs)
    {
        CheckState(state);
        long within = Definition.WithinMs;
        switch (Definition.Kind)
        {
            case PatternKind.Absence:
                return state.Used == 0;
            case PatternKind.Count:
                bool ringDone = state.Used == 0 || Newest(state).TimeMs + within < watermarkMs;
                return ringDone && (!state.HasMatched || state.LastMatchedMs + within < watermarkMs);
            default:
                foreach (PatternEntry run in state.Entries)
                {
                    if (run.Valid && run.TimeMs + within >= watermarkMs)
                    {
                        return false;
                    }
                }

                return true;
        }
    }

    /// <summary>
    /// Reads a state written by <see cref="PatternState.Write"/> at <paramref name="position"/> and
    /// moves past it. Null when it belongs to another (or an older version of this) definition:
    /// the caller starts that user afresh.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a pattern state.</exception>
    public PatternState? ReadState(ReadOnlySpan<byte> source, ref int position) =>
        PatternState.Read(source, ref position, Definition.Kind, Definition.Fingerprint, NewStateSlots());

    private int NewStateSlots() => Definition.Kind switch
    {
        PatternKind.Absence => 1,
        PatternKind.Count => Definition.AtLeast,
        _ => Definition.Predicates.Count - 1,
    };

    /// <summary>Every predicate bit the pattern looks at: an event with none of them cannot start a match.</summary>
    public ulong Mask
    {
        get
        {
            ulong mask = 0;
            foreach (ulong m in _masks)
            {
                mask |= m;
            }

            return mask;
        }
    }

    /// <summary>
    /// The event time by which the state needs the watermark to arrive: an absence's deadline, or
    /// when a count's or sequence's window has run out (the state is idle after it); MaxValue for none.
    /// </summary>
    public long NextDeadline(PatternState state)
    {
        CheckState(state);
        long within = Definition.WithinMs;
        switch (Definition.Kind)
        {
            case PatternKind.Absence:
                return state.Used != 0 ? state.Entries[0].TimeMs + within : long.MaxValue;
            case PatternKind.Count:
                long last = state.Used == 0 ? long.MinValue : Newest(state).TimeMs;
                last = state.HasMatched ? Math.Max(last, state.LastMatchedMs) : last;
                return last == long.MinValue ? long.MaxValue : last + within + 1;
            default:
                long newest = long.MinValue;
                foreach (PatternEntry run in state.Entries)
                {
                    newest = run.Valid ? Math.Max(newest, run.TimeMs) : newest;
                }

                return newest == long.MinValue ? long.MaxValue : newest + within + 1;
        }
    }

    private bool Is(in UserEvent e, int predicate) => (e.Predicates & _masks[predicate]) != 0;

    private void CheckState(PatternState state)
    {
        if (state.Fingerprint != Definition.Fingerprint)
        {
            throw new ArgumentException($"The state belongs to another pattern definition than '{Definition.Name}'.", nameof(state));
        }
    }
}
