using Pulse.Analytics.Funnels;
using Pulse.Analytics.Sessions;
using Pulse.Events;
using Pulse.Processing.Aggregation;

namespace Pulse.Analytics;

/// <summary>
/// The per-user analytics operator of one partition: sessions, funnels and patterns in event time.
/// Each event waits in a release queue until the partition's watermark passes it, and is then
/// handed to its user's state in event-time order (ties in log order), together with the timers
/// (session ends, pattern deadlines) that fall before it. The order depends only on the sequence of
/// records in the log, so replay after a restart derives exactly what the first run derived.
/// Single writer: the partition's processor, under the partition's lock.
/// </summary>
public sealed partial class PartitionAnalytics
{
    private readonly AnalyticsOptions _options;
    private AnalyticsCatalog _catalog;
    private readonly Func<int, string>? _names;
    private readonly IAnalyticsStore _store;
    private PredicateEvaluator? _predicates;
    private readonly long _gapMs;
    private readonly long _allowedLatenessMs;
    private readonly Dictionary<ulong, UserActivity> _users = [];

    // Events waiting for the watermark, and per-user timers, both ordered by event time. A user has
    // at most one timer queued (TimerMs); a timer that fires early for its user is queued again.
    private readonly ReleaseQueue<PendingEvent> _pending;
    private readonly PriorityQueue<UserActivity, long> _timers = new();

    private long _maxEventTimeMs = long.MinValue;

    // Buckets starting before this may have aggregates in the store (see MayBeStored).
    private long _storedThrough = long.MinValue;
    private long _lastOffset = -1;

    // The record being applied (or the last one, while idle): what a match found now derives from.
    private long _applying = -1;

    /// <param name="names">Turns dictionary ids into strings (for the details of matches).</param>
    public PartitionAnalytics(
        int partition, AnalyticsOptions options, AnalyticsCatalog catalog, IAnalyticsStore store, TimeSpan allowedLateness, Func<int, string>? names = null)
    {
        Partition = partition;
        _options = options;
        _catalog = catalog;
        Funnels = catalog.Funnels;
        _predicates = catalog.Predicates;
        _names = names;
        _store = store;
        _gapMs = (long)options.SessionGap.TotalMilliseconds;
        _allowedLatenessMs = (long)allowedLateness.TotalMilliseconds;

        // Queued events lie between the watermark and the newest event time, about the allowed lateness
        // apart: twice that (plus room for clock skew) keeps nearly all of them in the wheel.
        _pending = new ReleaseQueue<PendingEvent>((int)Math.Min(int.MaxValue, (2 * _allowedLatenessMs) + 4096));
    }

    public int Partition { get; }

    public IReadOnlyList<Funnel> Funnels { get; private set; }

    /// <summary>Event time up to which every event has been released to the users' states.</summary>
    public long WatermarkMs { get; private set; } = long.MinValue;

    /// <summary>Users with live state (open session, pending events or pattern state).</summary>
    public int ActiveUsers => _users.Count;

    public int PendingEvents => _pending.Count;

    /// <summary>Events that came after the session they belong to had ended (counted, not applied to sessions, funnels or patterns).</summary>
    public long LateEvents { get; private set; }

    /// <summary>Events of users beyond <see cref="AnalyticsOptions.MaxUsersPerPartition"/>.</summary>
    public long DroppedEvents { get; private set; }

    public long SessionsStarted { get; private set; }

    /// <summary>User timers that fired (session ends, pattern deadlines, state expiry): a few per session.</summary>
    public long TimersFired { get; private set; }

    public long SessionsEnded { get; private set; }

    /// <summary>
    /// Takes one record from the log. Safe to call again with the same record after it threw (the
    /// store failed under a lazy load): a record is taken once, and each release step reads what it
    /// needs from the store before it changes anything.
    /// </summary>
    public void Apply(in EncodedEvent e, long offset, int type, int page, int product, int country, int device)
    {
        if (offset <= _lastOffset)
        {
            return;
        }

        _applying = offset;
        EventHeader h = e.Header;
        long time = h.EventTimeMs;
        long max = Math.Max(_maxEventTimeMs, time);
        Advance(max - _allowedLatenessMs);

        if (!_users.TryGetValue(h.UserHash, out UserActivity? user))
        {
            if (_users.Count >= _options.MaxUsersPerPartition)
            {
                DroppedEvents++;
                _maxEventTimeMs = max;
                _lastOffset = offset;
                return;
            }

            user = new UserActivity(h.UserHash, e[EventField.User].ToArray());
            InitializeUser(user);
            _users.Add(h.UserHash, user);
        }

        ReadOnlySpan<byte> sessionId = e[EventField.SessionId];
        ulong sessionHash = sessionId.IsEmpty ? 0 : Hash64.Compute(sessionId) | 1;
        if (sessionHash != 0)
        {
            RememberSessionId(user, sessionHash, sessionId);
        }

        ulong predicates = _predicates is null ? 0 : _predicates(e);
        var ue = new UserEvent(time, offset, h.Kind, type, page, product, country, device, h.RevenueMicros, predicates, 0);
        var pending = new PendingEvent(user, ue, sessionHash);
        if (time <= WatermarkMs)
        {
            // Behind the watermark already: it goes to its user now, after everything released so far.
            Release(pending);
            RetireIfIdle(user, WatermarkMs);
        }
        else
        {
            user.Pending++;
            _pending.Enqueue(pending, time, offset);
        }

        _maxEventTimeMs = max;
        _lastOffset = offset;
    }

    /// <summary>
    /// Moves the watermark and releases, in event-time order, the queued events and timers it
    /// passed. Also called by the processor while the partition is idle, with the watermark
    /// advanced by wall-clock time, so sessions of a quiet partition still end.
    /// </summary>
    public void Advance(long watermarkMs)
    {
        EnsureRederived();
        if (watermarkMs <= WatermarkMs)
        {
            return;
        }

        while (true)
        {
            bool hasEvent = _pending.TryPeek(out PendingEvent next, out (long Time, long Offset) at) && at.Time <= watermarkMs;
            bool hasTimer = _timers.TryPeek(out UserActivity? timed, out long due) && due <= watermarkMs;
            if (hasEvent && (!hasTimer || at.Time <= due))
            {
                // Events at a timer's instant come first: an event exactly a gap after the last one still joins its session.
                Release(next);
                _pending.Dequeue();
                next.User.Pending--;
                RetireIfIdle(next.User, at.Time);
            }
            else if (hasTimer && due != timed!.TimerMs)
            {
                // Superseded by an earlier timer of the same user (see Schedule).
                _timers.Dequeue();
            }
            else if (hasTimer)
            {
                // A step is dequeued only once it completed, so a store failure inside it leaves it queued for the retry.
                FireTimer(timed!, due);
                _timers.Dequeue();
                TimersFired++;
                AfterTimer(timed!, due);
            }
            else
            {
                break;
            }
        }

        WatermarkMs = watermarkMs;
    }

    /// <summary>The watermark an idle partition moves to: its newest event time plus the wall-clock time it has been quiet, less the lateness.</summary>
    public long IdleWatermark(long idleForMs) =>
        _maxEventTimeMs == long.MinValue ? long.MinValue : _maxEventTimeMs + idleForMs - _allowedLatenessMs;

    private void Release(in PendingEvent pending)
    {
        UserActivity user = pending.User;
        UserEvent e = pending.Event;
        if (!AssignSession(user, ref e, pending.SessionIdHash))
        {
            LateEvents++;
            return;
        }

        AdvanceFunnels(user, e);
        ApplyPatterns(user, e);
        if (e.Kind == EventKind.SessionEnd)
        {
            EndSession(user, byGap: false);
        }

        Schedule(user, WatermarkMs);
    }

    private void FireTimer(UserActivity user, long due)
    {
        bool ends = user.HasSession && user.LastEventMs + _gapMs <= due;
        if (ends)
        {
            // Before anything changes: a store failure here leaves the timer queued for the retry.
            PrefetchEnd(user);
        }

        WatchPatterns(user, due);
        if (ends)
        {
            EndSession(user, byGap: true);
        }
    }

    private void AfterTimer(UserActivity user, long due)
    {
        user.TimerMs = long.MinValue;
        if (!Schedule(user, due) && user.Pending == 0 && PatternsIdle(user, due))
        {
            _users.Remove(user.UserHash);
        }
    }

    /// <summary>
    /// Drops a user left with nothing to wait for — no timer, no waiting event, no session, no
    /// pattern state that can still match (a late event for a long-ended session leaves such a user).
    /// </summary>
    private void RetireIfIdle(UserActivity user, long nowMs)
    {
        if (user.TimerMs == long.MinValue && user.Pending == 0 && !user.HasSession && !Schedule(user, nowMs) && PatternsIdle(user, nowMs))
        {
            _users.Remove(user.UserHash);
        }
    }

    /// <summary>Queues the user's next timer unless one is queued already at or before it; false when the user needs none.</summary>
    private bool Schedule(UserActivity user, long nowMs)
    {
        long next = NextDeadline(user, nowMs);
        if (next == long.MaxValue)
        {
            return user.TimerMs != long.MinValue;
        }

        // Never at or before now: a deadline already passed is looked at with the next advance.
        next = Math.Max(next, nowMs + 1);
        if (user.TimerMs == long.MinValue || next < user.TimerMs)
        {
            // A later timer queued before stays in the queue and is skipped when it comes up: only
            // the entry whose time equals TimerMs is live.
            user.TimerMs = next;
            _timers.Enqueue(user, next);
        }

        return true;
    }

    /// <summary>
    /// The session's end; after it ended, the time the user's state is kept until (one more gap), so
    /// an event arriving late for the ended session is recognised as late rather than starting one.
    /// </summary>
    private long NextDeadline(UserActivity user, long nowMs)
    {
        long next = user.HasSession ? user.LastEventMs + _gapMs
            : user.LastEndedMs != long.MinValue && user.LastEndedMs + (2 * _gapMs) > nowMs ? user.LastEndedMs + (2 * _gapMs)
            : long.MaxValue;

        // A pattern deadline already passed needs no timer: the watermark passing it made the
        // pattern fire or go idle. (Re-arming it just after now would step the queue through time.)
        long patterns = PatternDeadline(user);
        return patterns > nowMs ? Math.Min(next, patterns) : next;
    }

    private void InitializeUser(UserActivity user)
    {
        user.Funnels = Funnels.Count == 0 ? [] : new FunnelProgress[Funnels.Count];
        InitializePatterns(user);
    }

    private static void RememberSessionId(UserActivity user, ulong hash, ReadOnlySpan<byte> bytes)
    {
        if (user.SessionIdHash == hash)
        {
            return;
        }

        List<(ulong Hash, byte[] Bytes)> seen = user.SeenSessionIds ??= [];
        foreach ((ulong h, _) in seen)
        {
            if (h == hash)
            {
                return;
            }
        }

        if (seen.Count >= 8)
        {
            seen.RemoveAt(0);
        }

        seen.Add((hash, bytes.ToArray()));
    }

    private static byte[]? TakeSessionId(UserActivity user, ulong hash)
    {
        if (hash == 0 || user.SeenSessionIds is not { } seen)
        {
            return null;
        }

        foreach ((ulong h, byte[] bytes) in seen)
        {
            if (h == hash)
            {
                return bytes;
            }
        }

        return null;
    }

    /// <summary>An event waiting in the release queue, with the hash of the session_id it came with (0: none).</summary>
    private readonly record struct PendingEvent(UserActivity User, UserEvent Event, ulong SessionIdHash);
}
