using System.Text.Json;
using Pulse.Analytics.Patterns;

namespace Pulse.Analytics;

/// <summary>
/// Patterns: every user's events, released in event-time order with their session, go through each
/// pattern's matcher; absences fire when the watermark passes their deadline (a timer of the user)
/// or when their session ends. A match is kept in memory until the partition's next full
/// checkpoint writes it with the state that produced it, so a restart never finds it again.
/// </summary>
public sealed partial class PartitionAnalytics
{
    private readonly List<PatternMatchRecord> _unsavedMatches = [];
    private readonly List<PatternMatch> _found = [];

    /// <summary>Matches found since the last full checkpoint, oldest first.</summary>
    public IReadOnlyList<PatternMatchRecord> UnsavedMatches => _unsavedMatches;

    /// <summary>Called with each new match (on the processor's thread, under the partition's lock), e.g. to push it live.</summary>
    public Action<PatternMatchRecord>? MatchFound { get; set; }

    public long Matches { get; private set; }

    /// <summary>Matches found while applying records before this offset (a replay at start) are not passed to <see cref="MatchFound"/>.</summary>
    public long LiveFromOffset { get; set; }

    private int PatternCount => _catalog.Patterns.Count;

    private void InitializePatterns(UserActivity user) => user.Patterns = PatternCount == 0 ? [] : new object?[PatternCount];

    private PatternState StateOf(UserActivity user, int p) => (PatternState)(user.Patterns[p] ??= _catalog.Patterns[p].NewState());

    private void EndPatternSession(UserActivity user)
    {
        for (int p = 0; p < PatternCount; p++)
        {
            if (user.Patterns[p] is PatternState state)
            {
                _catalog.Patterns[p].OnSessionEnd(state, user.CountedAtMs, user.LastEventMs, _found);
                Emit(user, p);
            }
        }
    }

    private void ApplyPatterns(UserActivity user, in UserEvent e)
    {
        for (int p = 0; p < PatternCount; p++)
        {
            PatternMatcher matcher = _catalog.Patterns[p];
            if (user.Patterns[p] is null && (e.Predicates & matcher.Mask) == 0)
            {
                continue;
            }

            matcher.OnEvent(StateOf(user, p), e, _found);
            Emit(user, p);
        }
    }

    private void WatchPatterns(UserActivity user, long watermarkMs)
    {
        for (int p = 0; p < PatternCount; p++)
        {
            if (user.Patterns[p] is PatternState state)
            {
                _catalog.Patterns[p].OnWatermark(state, watermarkMs, _found);
                Emit(user, p);
            }
        }
    }

    private bool PatternsIdle(UserActivity user, long watermarkMs)
    {
        for (int p = 0; p < PatternCount; p++)
        {
            if (user.Patterns[p] is PatternState state && !_catalog.Patterns[p].IsIdle(state, watermarkMs))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The earliest time a pattern of the user needs the watermark to reach (an absence's deadline, or a window running out).</summary>
    private long PatternDeadline(UserActivity user)
    {
        long next = long.MaxValue;
        for (int p = 0; p < PatternCount; p++)
        {
            if (user.Patterns[p] is PatternState state)
            {
                next = Math.Min(next, _catalog.Patterns[p].NextDeadline(state));
            }
        }

        return next;
    }

    private void Emit(UserActivity user, int p)
    {
        if (_found.Count == 0)
        {
            return;
        }

        string name = _catalog.Patterns[p].Definition.Name;
        string userId = System.Text.Encoding.UTF8.GetString(user.UserId);
        foreach (PatternMatch match in _found)
        {
            string session = user.SessionIdHash != 0 && user.CountedAtMs == match.SessionStartMs && user.SessionId is not null
                ? System.Text.Encoding.UTF8.GetString(user.SessionId)
                : UserActivity.DerivedSessionId(match.SessionStartMs);
            var record = new PatternMatchRecord(name, match.TimeMs, match.FirstTimeMs, userId, session, Details(match));
            _unsavedMatches.Add(record);
            Matches++;
            if (_applying >= LiveFromOffset)
            {
                MatchFound?.Invoke(record);
            }
        }

        _found.Clear();
    }

    private string Details(in PatternMatch match)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("events"u8, match.EventCount);
            if (match.RevenueMicros != 0)
            {
                w.WriteNumber("revenue"u8, match.RevenueMicros / 1_000_000m);
            }

            if (match.Page != 0 && _names is not null)
            {
                w.WriteString("page"u8, _names(match.Page));
            }

            if (match.Product != 0 && _names is not null)
            {
                w.WriteString("product_id"u8, _names(match.Product));
            }

            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private void TakeMatches(AnalyticsSnapshot snapshot) => snapshot.Matches.AddRange(_unsavedMatches);

    private static void RestoreMatches(AnalyticsSnapshot snapshot)
    {
        // The matches were never removed from the unsaved list (see CommitMatches): nothing to put back.
        _ = snapshot;
    }

    /// <summary>The snapshot's matches are stored: they were the oldest unsaved ones (only the processor adds, at the end).</summary>
    private void CommitMatches(AnalyticsSnapshot snapshot) => _unsavedMatches.RemoveRange(0, Math.Min(snapshot.Matches.Count, _unsavedMatches.Count));

    private void WritePatternStates(StateWriter w, UserActivity user)
    {
        for (int p = 0; p < PatternCount; p++)
        {
            bool has = user.Patterns[p] is PatternState;
            w.Bool(has);
            if (user.Patterns[p] is PatternState state)
            {
                state.Write(w.Buffer);
            }
        }
    }

    /// <summary>Reads the saved pattern states (one flag and state per saved pattern) into the running patterns they map to.</summary>
    private void ReadPatternStates(ref StateReader r, UserActivity user, int[] patternMap)
    {
        ReadOnlySpan<byte> data = r.Data;
        foreach (int p in patternMap)
        {
            if (!r.Bool())
            {
                continue;
            }

            // Any pattern's reader skips a state: it is read with the running matcher when the pattern
            // is still there (null if its definition changed: the user starts it afresh).
            int position = r.Position;
            PatternState? state = p >= 0 ? _catalog.Patterns[p].ReadState(data, ref position) : PatternState.Skip(data, ref position);
            r.Position = position;
            if (p >= 0)
            {
                user.Patterns[p] = state;
            }
        }
    }
}
