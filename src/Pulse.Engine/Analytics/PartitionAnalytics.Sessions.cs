using Pulse.Analytics.Sessions;
using Pulse.Events;
using Pulse.Processing.Aggregation;

namespace Pulse.Analytics;

/// <summary>
/// Sessions: a user's events, in event time, belong to one session until a gap of
/// <see cref="AnalyticsOptions.SessionGap"/> without events, a <c>session_start</c>, a change of the
/// client's <c>session_id</c>, or a <c>session_end</c> (which is the session's last event). A session
/// is counted when it starts, in the bucket of its first event; its duration, page count, bounce and
/// entry and exit pages are added to that same bucket when it ends.
/// </summary>
public sealed partial class PartitionAnalytics
{
    /// <summary>The resolutions session, page and funnel aggregates are kept at (sessions are minutes long; seconds would be noise).</summary>
    public static readonly Resolution[] AggregateResolutions = [Resolution.Minute, Resolution.Hour, Resolution.Day];

    private readonly Dictionary<SessionCellKey, SessionCell> _sessionCells = [];
    private readonly Dictionary<SessionPageKey, PageCount> _pageCells = [];
    private readonly List<SessionCellKey> _dirtySessions = [];
    private readonly List<SessionPageKey> _dirtyPages = [];

    public IReadOnlyDictionary<SessionCellKey, SessionCell> SessionCells => _sessionCells;

    public IReadOnlyDictionary<SessionPageKey, PageCount> PageCells => _pageCells;

    private enum SessionStep
    {
        Late,
        Join,
        Start,
        EndAndStart,
    }

    private SessionStep Decide(UserActivity user, in UserEvent e, ulong sessionHash)
    {
        if (!user.HasSession)
        {
            // Ended sessions are final: an event that belongs to the previous one arrived too late for it.
            bool late = user.LastEndedMs != long.MinValue && (user.LastEndedByGap ? e.TimeMs <= user.LastEndedMs + _gapMs : e.TimeMs < user.LastEndedMs);
            return late ? SessionStep.Late : SessionStep.Start;
        }

        if (e.TimeMs < user.SessionStartMs - _gapMs)
        {
            return SessionStep.Late;
        }

        if (e.TimeMs < user.LastEventMs)
        {
            // Out of order inside the session (it arrived behind the watermark): it joins whatever it says.
            return SessionStep.Join;
        }

        bool boundary = e.TimeMs > user.LastEventMs + _gapMs
            || e.Kind == EventKind.SessionStart
            || (sessionHash != 0 && user.SessionIdHash != 0 && sessionHash != user.SessionIdHash);
        return boundary ? SessionStep.EndAndStart : SessionStep.Join;
    }

    /// <summary>Puts the event in its session (ending and starting sessions as needed); false when it is late for sessions.</summary>
    private bool AssignSession(UserActivity user, ref UserEvent e, ulong sessionHash)
    {
        SessionStep step = Decide(user, e, sessionHash);
        Prefetch(user, e, step);
        switch (step)
        {
            case SessionStep.Late:
                return false;
            case SessionStep.EndAndStart:
                EndSession(user, byGap: e.TimeMs > user.LastEventMs + _gapMs);
                StartSession(user, e, sessionHash);
                break;
            case SessionStep.Start:
                StartSession(user, e, sessionHash);
                break;
        }

        JoinSession(user, e, sessionHash);
        // The session's identity is its first released event, which a late event extending it backwards does not move.
        e = e with { SessionStartMs = user.CountedAtMs };
        return true;
    }

    /// <summary>
    /// Brings into memory every stored aggregate the step will change, before anything changes: a
    /// store that fails here leaves the step undone, and the processor retries it whole.
    /// </summary>
    private void Prefetch(UserActivity user, in UserEvent e, SessionStep step)
    {
        if (step == SessionStep.Late)
        {
            return;
        }

        if (user.HasSession && (step == SessionStep.EndAndStart || e.Kind == EventKind.SessionEnd))
        {
            PrefetchEnd(user);
        }

        if (step is SessionStep.Start or SessionStep.EndAndStart)
        {
            foreach (Resolution r in AggregateResolutions)
            {
                SessionCellAt(new SessionCellKey(r, r.BucketStart(e.TimeMs), e.Country, e.Device));
            }
        }

        PrefetchFunnels(user, e, restart: step != SessionStep.Join);
    }

    private void PrefetchEnd(UserActivity user)
    {
        foreach (Resolution r in AggregateResolutions)
        {
            long bucket = r.BucketStart(user.CountedAtMs);
            SessionCellAt(new SessionCellKey(r, bucket, user.Country, user.Device));
            if (user.EntryPage != 0)
            {
                PageCellAt(new SessionPageKey(r, bucket, false, user.EntryPage));
                PageCellAt(new SessionPageKey(r, bucket, true, user.ExitPage));
            }
        }
    }

    private void StartSession(UserActivity user, in UserEvent e, ulong sessionHash)
    {
        user.HasSession = true;
        user.SessionStartMs = e.TimeMs;
        user.LastEventMs = e.TimeMs;
        user.CountedAtMs = e.TimeMs;
        user.PageViews = 0;
        user.EntryPage = 0;
        user.ExitPage = 0;
        user.EntryPageMs = long.MaxValue;
        user.ExitPageMs = long.MinValue;
        user.Country = e.Country;
        user.Device = e.Device;
        user.SessionIdHash = sessionHash;
        user.SessionId = TakeSessionId(user, sessionHash);
        Array.Clear(user.Funnels);
        SessionsStarted++;
        foreach (Resolution r in AggregateResolutions)
        {
            SessionCell cell = SessionCellAt(new SessionCellKey(r, r.BucketStart(e.TimeMs), e.Country, e.Device));
            cell.Started++;
            MarkDirty(cell, new SessionCellKey(r, r.BucketStart(e.TimeMs), e.Country, e.Device));
        }
    }

    private static void JoinSession(UserActivity user, in UserEvent e, ulong sessionHash)
    {
        user.SessionStartMs = Math.Min(user.SessionStartMs, e.TimeMs);
        user.LastEventMs = Math.Max(user.LastEventMs, e.TimeMs);
        if (user.SessionIdHash == 0 && sessionHash != 0)
        {
            user.SessionIdHash = sessionHash;
            user.SessionId = TakeSessionId(user, sessionHash);
        }

        if (e.Kind == EventKind.PageView)
        {
            user.PageViews++;
            if (e.Page != 0)
            {
                if (e.TimeMs < user.EntryPageMs)
                {
                    user.EntryPage = e.Page;
                    user.EntryPageMs = e.TimeMs;
                }

                if (e.TimeMs >= user.ExitPageMs)
                {
                    user.ExitPage = e.Page;
                    user.ExitPageMs = e.TimeMs;
                }
            }
        }
    }

    /// <summary>Adds the ended session to the bucket it was counted in. Its aggregates are resident (see <see cref="Prefetch"/>).</summary>
    private void EndSession(UserActivity user, bool byGap)
    {
        EndPatternSession(user);
        double duration = (user.LastEventMs - user.SessionStartMs) / 1000.0;
        foreach (Resolution r in AggregateResolutions)
        {
            long bucket = r.BucketStart(user.CountedAtMs);
            var key = new SessionCellKey(r, bucket, user.Country, user.Device);
            SessionCell cell = SessionCellAt(key);
            cell.Ended++;
            cell.Bounces += user.PageViews == 1 ? 1 : 0;
            cell.DurationSeconds.Add(duration);
            cell.Pages.Add(user.PageViews);
            MarkDirty(cell, key);
            if (user.EntryPage != 0)
            {
                AddPage(new SessionPageKey(r, bucket, false, user.EntryPage));
                AddPage(new SessionPageKey(r, bucket, true, user.ExitPage));
            }
        }

        user.HasSession = false;
        user.LastEndedMs = user.LastEventMs;
        user.LastEndedByGap = byGap;
        SessionsEnded++;
    }

    private SessionCell SessionCellAt(in SessionCellKey key)
    {
        if (!_sessionCells.TryGetValue(key, out SessionCell? cell))
        {
            cell = (MayBeStored(key.Bucket) ? _store.TryLoadSessionCell(Partition, key) : null) ?? new SessionCell();
            cell.Dirty = false;
            _sessionCells.Add(key, cell);
        }

        return cell;
    }

    private PageCount PageCellAt(in SessionPageKey key)
    {
        if (!_pageCells.TryGetValue(key, out PageCount? cell))
        {
            cell = new PageCount { Count = (MayBeStored(key.Bucket) ? _store.TryLoadSessionPage(Partition, key) : null) ?? 0 };
            _pageCells.Add(key, cell);
        }

        return cell;
    }

    private void AddPage(in SessionPageKey key)
    {
        PageCount cell = PageCellAt(key);
        cell.Count++;
        if (!cell.Dirty)
        {
            cell.Dirty = true;
            _dirtyPages.Add(key);
        }
    }

    private void MarkDirty(SessionCell cell, in SessionCellKey key)
    {
        if (!cell.Dirty)
        {
            cell.Dirty = true;
            _dirtySessions.Add(key);
        }
    }
}

/// <summary>A count of ended sessions by entry or exit page.</summary>
public sealed class PageCount
{
    public long Count { get; set; }
    public bool Dirty { get; set; }
}
