using Pulse.Events;

namespace Pulse.Analytics;

/// <summary>
/// After a restore, the events that were waiting for the watermark are read back from the log
/// instead of from the checkpoint. Between the offset the checkpoint names and the last record it
/// had taken, a record was still waiting exactly when its event time is past the restored
/// watermark (everything at or before it had been released), it was not one of the stragglers the
/// checkpoint listed, and its user had state. A record whose user was over the partition's cap when
/// it came (dropped, never queued) can look the same; it came before that user's state existed, so
/// of a user's candidates in log order only the last as many as the checkpoint counted are taken.
/// </summary>
public sealed partial class PartitionAnalytics
{
    private const long NoRederive = long.MaxValue;

    private long _rederiveFrom = NoRederive;
    private Dictionary<ulong, int>? _expectedPending;
    private HashSet<long>? _listedPending;
    private Dictionary<ulong, List<PendingEvent>>? _candidates;

    /// <summary>The first log offset to read back with <see cref="Rederive"/> before anything else (null: nothing to read).</summary>
    public long? RederiveFrom => _rederiveFrom == NoRederive ? null : _rederiveFrom;

    /// <summary>The last offset to read back: the last record the restored state had taken.</summary>
    public long RederiveThrough => _lastOffset;

    /// <summary>Waiting events the restored state counted that the log no longer had (its retention removed them).</summary>
    public long UnrecoveredPending { get; private set; }

    /// <summary>Takes one record of the range <see cref="RederiveFrom"/>..<see cref="RederiveThrough"/> back into the release queue if it was waiting.</summary>
    public void Rederive(in EncodedEvent e, long offset, int type, int page, int product, int country, int device)
    {
        if (offset < _rederiveFrom || offset > _lastOffset || _expectedPending is null)
        {
            return;
        }

        EventHeader h = e.Header;
        if (h.EventTimeMs <= WatermarkMs || _listedPending!.Contains(offset)
            || !_expectedPending.ContainsKey(h.UserHash) || !_users.TryGetValue(h.UserHash, out UserActivity? user))
        {
            return;
        }

        ReadOnlySpan<byte> sessionId = e[EventField.SessionId];
        ulong sessionHash = sessionId.IsEmpty ? 0 : Hash64.Compute(sessionId) | 1;
        ulong predicates = _predicates is null ? 0 : _predicates(e);
        var ue = new UserEvent(h.EventTimeMs, offset, h.Kind, type, page, product, country, device, h.RevenueMicros, predicates, 0);
        _candidates ??= [];
        if (!_candidates.TryGetValue(h.UserHash, out List<PendingEvent>? list))
        {
            _candidates[h.UserHash] = list = [];
        }

        list.Add(new PendingEvent(user, ue, sessionHash));
    }

    /// <summary>Queues what <see cref="Rederive"/> found; processing may start after it.</summary>
    public void FinishRederive()
    {
        if (_expectedPending is { } expected)
        {
            foreach ((ulong userHash, int count) in expected)
            {
                List<PendingEvent>? found = _candidates?.GetValueOrDefault(userHash);
                int have = found?.Count ?? 0;
                UnrecoveredPending += Math.Max(0, count - have);
                for (int i = Math.Max(0, have - count); i < have; i++)
                {
                    PendingEvent pending = found![i];
                    pending.User.Pending++;
                    _pending.Enqueue(pending, pending.Event.TimeMs, pending.Event.Offset);
                }
            }
        }

        _rederiveFrom = NoRederive;
        _expectedPending = null;
        _listedPending = null;
        _candidates = null;
    }

    private void ExpectRederive(long from, Dictionary<ulong, int> expected, HashSet<long> listed)
    {
        foreach ((_, int count) in expected)
        {
            if (count < 0)
            {
                throw new InvalidDataException("Analytics state lists more waiting events for a user than it counts.");
            }
        }

        expected = expected.Where(e => e.Value > 0).ToDictionary();
        if (expected.Count == 0)
        {
            return;
        }

        if (from > _lastOffset)
        {
            // Counted but not in the range: a state written wrongly; its users are not held waiting for them.
            UnrecoveredPending += expected.Values.Sum();
            return;
        }

        _rederiveFrom = from;
        _expectedPending = expected;
        _listedPending = listed;
    }

    /// <summary>Processing or checkpointing before the waiting events were read back would lose them.</summary>
    private void EnsureRederived()
    {
        if (_rederiveFrom != NoRederive)
        {
            throw new InvalidOperationException($"Partition {Partition}: the waiting events from offset {_rederiveFrom} must be read back from the log (Rederive, FinishRederive) first.");
        }
    }
}
