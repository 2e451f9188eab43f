using Pulse.Analytics.Funnels;
using Pulse.Analytics.Sessions;
using Pulse.Events;
using Pulse.Processing.Aggregation;
using Pulse.Processing.State;

namespace Pulse.Analytics;

/// <summary>Checkpoints, restore and eviction of the partition's analytics.</summary>
public sealed partial class PartitionAnalytics
{
    // 3: waiting events in the wheel are not listed but re-read from the log (ReplayFrom, per-user counts).
    private const int StateVersion = 3;
    private const int ListedPendingVersion = 2;
    private const int MaxIdBytes = 64 * 1024;

    /// <summary>Moves every changed aggregate and the new matches into <paramref name="snapshot"/>, with the whole user state. Caller holds the partition's lock.</summary>
    public void TakeChanges(AnalyticsSnapshot snapshot)
    {
        foreach (SessionCellKey key in _dirtySessions)
        {
            SessionCell cell = _sessionCells[key];
            cell.Dirty = false;
            (int d, int dl) = WriteSketch(snapshot, cell.DurationSeconds);
            (int p, int pl) = WriteSketch(snapshot, cell.Pages);
            snapshot.Sessions.Add(new SessionRow(key, cell.Started, cell.Ended, cell.Bounces, d, dl, p, pl));
        }

        foreach (SessionPageKey key in _dirtyPages)
        {
            PageCount cell = _pageCells[key];
            cell.Dirty = false;
            snapshot.Pages.Add((key, cell.Count));
        }

        foreach (FunnelCellKey key in _dirtyFunnels)
        {
            FunnelCell cell = _funnelCells[key];
            cell.Dirty = false;
            int offset = snapshot.Bytes.WrittenCount;
            int length = cell.Users.Serialize(snapshot.Bytes.GetSpan(cell.Users.MaxSerializedSize));
            snapshot.Bytes.Advance(length);
            snapshot.Funnels.Add(new FunnelRow(key, cell.Sessions, offset, length));
        }

        _dirtySessions.Clear();
        _dirtyPages.Clear();
        _dirtyFunnels.Clear();
        TakeMatches(snapshot);
        WriteState(new StateWriter(snapshot.State));
    }

    /// <summary>The checkpoint failed: its aggregates must be written by the next one. Caller holds the partition's lock.</summary>
    public void RestoreChanges(AnalyticsSnapshot snapshot)
    {
        foreach (SessionRow row in snapshot.Sessions)
        {
            if (_sessionCells.TryGetValue(row.Key, out SessionCell? cell))
            {
                MarkDirty(cell, row.Key);
            }
        }

        foreach ((SessionPageKey key, _) in snapshot.Pages)
        {
            if (_pageCells.TryGetValue(key, out PageCount? cell) && !cell.Dirty)
            {
                cell.Dirty = true;
                _dirtyPages.Add(key);
            }
        }

        foreach (FunnelRow row in snapshot.Funnels)
        {
            if (_funnelCells.TryGetValue(row.Key, out FunnelCell? cell) && !cell.Dirty)
            {
                cell.Dirty = true;
                _dirtyFunnels.Add(row.Key);
            }
        }

        RestoreMatches(snapshot);
    }

    /// <summary>The checkpoint committed. Caller holds the partition's lock.</summary>
    public void CommitChanges(AnalyticsSnapshot snapshot) => CommitMatches(snapshot);

    /// <summary>Drops clean aggregates of buckets that ended more than the resident span before the watermark. Caller holds the partition's lock.</summary>
    public int Evict()
    {
        if (WatermarkMs == long.MinValue)
        {
            return 0;
        }

        long horizon = WatermarkMs - (long)_options.ResidentAggregates.TotalMilliseconds;
        return EvictFrom(_sessionCells, horizon, static k => k.Bucket + k.Resolution.WidthMs(), static c => c.Dirty)
            + EvictFrom(_pageCells, horizon, static k => k.Bucket + k.Resolution.WidthMs(), static c => c.Dirty)
            + EvictFrom(_funnelCells, horizon, static k => k.Bucket + k.Resolution.WidthMs(), static c => c.Dirty);
    }

    /// <summary>
    /// Whether a bucket's aggregate may be in the store while it is not in memory: only if it
    /// started before the watermark the state was restored at (aggregates are keyed by released
    /// events, never ahead of the watermark), or before the end of something evicted since. Newer
    /// buckets skip the store read — most new aggregates are of new buckets.
    /// </summary>
    private bool MayBeStored(long bucket) => bucket < _storedThrough;

    /// <summary>Starting without saved state over a store that has aggregates: every bucket may be stored.</summary>
    public void AssumeStoredAggregates() => _storedThrough = long.MaxValue;

    private int EvictFrom<TKey, TCell>(Dictionary<TKey, TCell> cells, long horizon, Func<TKey, long> endOf, Func<TCell, bool> isDirty)
        where TKey : notnull
    {
        List<TKey>? drop = null;
        foreach (KeyValuePair<TKey, TCell> entry in cells)
        {
            if (endOf(entry.Key) <= horizon && !isDirty(entry.Value))
            {
                (drop ??= []).Add(entry.Key);
            }
        }

        if (drop is null)
        {
            return 0;
        }

        foreach (TKey key in drop)
        {
            _storedThrough = Math.Max(_storedThrough, endOf(key));
            cells.Remove(key);
        }

        return drop.Count;
    }

    private static (int Offset, int Length) WriteSketch(AnalyticsSnapshot snapshot, DDSketch sketch)
    {
        int offset = snapshot.Bytes.WrittenCount;
        int length = sketch.Serialize(snapshot.Bytes);
        return (offset, length);
    }

    private void WriteState(StateWriter w)
    {
        EnsureRederived();
        w.Int32(StateVersion);
        w.Int64(WatermarkMs);
        w.Int64(_maxEventTimeMs);
        w.Int64(_lastOffset);
        w.Int64(LateEvents);
        w.Int64(DroppedEvents);
        w.Int64(SessionsStarted);
        w.Int64(SessionsEnded);
        WriteCatalogLayout(w);
        w.Int32(_users.Count);
        foreach (UserActivity user in _users.Values)
        {
            WriteUser(w, user);
        }

        // The events waiting in the wheel are all in the log, between the oldest of them and the last
        // record taken: a restore reads them back from there (see Rederive) rather than the checkpoint
        // copying several megabytes of them every time. Only the heap's few stragglers, which could
        // hold that point back arbitrarily far, are listed.
        w.Int64(_pending.MinWheelOffset() ?? (_lastOffset + 1));
        int listed = 0;
        foreach (PendingEvent _ in _pending.OutsideItems())
        {
            listed++;
        }

        w.Int32(listed);
        foreach (PendingEvent pending in _pending.OutsideItems())
        {
            UserEvent e = pending.Event;
            w.UInt64(pending.User.UserHash);
            w.UInt64(pending.SessionIdHash);
            w.Int64(e.TimeMs);
            w.Int64(e.Offset);
            w.Int32((int)e.Kind);
            w.Int32(e.Type);
            w.Int32(e.Page);
            w.Int32(e.Product);
            w.Int32(e.Country);
            w.Int32(e.Device);
            w.Int64(e.RevenueMicros);
            w.UInt64(e.Predicates);
        }
    }

    private void WriteUser(StateWriter w, UserActivity user)
    {
        w.UInt64(user.UserHash);
        w.Bytes(user.UserId);
        w.Int32(user.Pending);
        w.Int64(user.TimerMs);
        w.Bool(user.HasSession);
        w.Int64(user.SessionStartMs);
        w.Int64(user.LastEventMs);
        w.Int64(user.CountedAtMs);
        w.Int32(user.PageViews);
        w.Int32(user.EntryPage);
        w.Int64(user.EntryPageMs);
        w.Int32(user.ExitPage);
        w.Int64(user.ExitPageMs);
        w.Int32(user.Country);
        w.Int32(user.Device);
        w.UInt64(user.SessionIdHash);
        w.Bytes(user.SessionId, user.SessionId is null);
        w.Int64(user.LastEndedMs);
        w.Bool(user.LastEndedByGap);
        foreach (FunnelProgress progress in user.Funnels)
        {
            w.Int32(progress.Reached);
            w.Int64(progress.FirstStepMs);
        }

        WritePatternStates(w, user);
        List<(ulong Hash, byte[] Bytes)>? seen = user.SeenSessionIds;
        w.Int32(seen?.Count ?? 0);
        if (seen is not null)
        {
            foreach ((ulong hash, byte[] bytes) in seen)
            {
                w.UInt64(hash);
                w.Bytes(bytes);
            }
        }
    }

    /// <summary>
    /// Restores the state a checkpoint wrote (before processing starts), mapped onto the running
    /// catalog by name: progress in a funnel or pattern that is gone is dropped, one that is new or
    /// changed starts afresh, and the predicate bits of waiting events are renumbered.
    /// </summary>
    public void RestoreState(ReadOnlySpan<byte> data)
    {
        var r = new StateReader(data);
        int version = r.Int32();
        if (version is not (StateVersion or ListedPendingVersion))
        {
            throw new InvalidDataException("Analytics state has an unknown version.");
        }

        WatermarkMs = r.Int64();
        _storedThrough = WatermarkMs == long.MinValue ? long.MinValue : WatermarkMs + 1;
        _maxEventTimeMs = r.Int64();
        _lastOffset = r.Int64();
        _applying = _lastOffset;
        LateEvents = r.Int64();
        DroppedEvents = r.Int64();
        SessionsStarted = r.Int64();
        SessionsEnded = r.Int64();
        SavedLayout layout = ReadCatalogLayout(ref r);
        int users = r.Count(int.MaxValue);
        var expected = new Dictionary<ulong, int>();
        for (int i = 0; i < users; i++)
        {
            UserActivity user = ReadUser(ref r, layout, version, out int pendingOfUser);
            if (pendingOfUser > 0)
            {
                expected[user.UserHash] = pendingOfUser;
            }

            _users.Add(user.UserHash, user);
            if (user.TimerMs != long.MinValue)
            {
                _timers.Enqueue(user, user.TimerMs);
            }
        }

        long replayFrom = version == StateVersion ? r.Int64() : _lastOffset + 1;
        var listed = new HashSet<long>();
        int pending = r.Count(int.MaxValue);
        for (int i = 0; i < pending; i++)
        {
            ulong userHash = r.UInt64();
            ulong sessionHash = r.UInt64();
            var e = new UserEvent(r.Int64(), r.Int64(), (EventKind)r.Int32(), r.Int32(), r.Int32(), r.Int32(), r.Int32(), r.Int32(), r.Int64(), layout.MapBits(r.UInt64()), 0);
            if (!_users.TryGetValue(userHash, out UserActivity? user))
            {
                throw new InvalidDataException("Analytics state has a waiting event of an unknown user.");
            }

            user.Pending++;
            listed.Add(e.Offset);
            _pending.EnqueueOutside(new PendingEvent(user, e, sessionHash), e.TimeMs, e.Offset);
            if (expected.TryGetValue(userHash, out int count))
            {
                expected[userHash] = count - 1;
            }
        }

        if (!r.AtEnd)
        {
            throw new InvalidDataException("Analytics state has bytes past its end.");
        }

        ExpectRederive(replayFrom, expected, listed);
    }

    private UserActivity ReadUser(ref StateReader r, SavedLayout layout, int version, out int pending)
    {
        ulong hash = r.UInt64();
        byte[] id = r.Bytes() ?? throw new InvalidDataException("Analytics state has a user without an id.");
        pending = version == StateVersion ? r.Count(int.MaxValue) : 0;
        var user = new UserActivity(hash, id)
        {
            TimerMs = r.Int64(),
            HasSession = r.Bool(),
            SessionStartMs = r.Int64(),
            LastEventMs = r.Int64(),
            CountedAtMs = r.Int64(),
            PageViews = r.Int32(),
            EntryPage = r.Int32(),
            EntryPageMs = r.Int64(),
            ExitPage = r.Int32(),
            ExitPageMs = r.Int64(),
            Country = r.Int32(),
            Device = r.Int32(),
            SessionIdHash = r.UInt64(),
            SessionId = r.Bytes(),
            LastEndedMs = r.Int64(),
            LastEndedByGap = r.Bool(),
        };
        InitializeUser(user);
        foreach (int f in layout.Funnels)
        {
            var progress = new FunnelProgress { Reached = r.Int32(), FirstStepMs = r.Int64() };
            if (f >= 0)
            {
                user.Funnels[f] = progress;
            }
        }

        ReadPatternStates(ref r, user, layout.Patterns);
        int seen = r.Count(8);
        if (seen > 0)
        {
            user.SeenSessionIds = new List<(ulong, byte[])>(seen);
            for (int i = 0; i < seen; i++)
            {
                user.SeenSessionIds.Add((r.UInt64(), r.Bytes() ?? []));
            }
        }

        return user;
    }
}
