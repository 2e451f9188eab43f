using Pulse.Events;

namespace Pulse.Generate;

/// <summary>
/// Exact totals of everything acknowledged: what a correct engine must report for the same events.
/// Unique users are exact (a bit per user), revenue is summed in cents.
/// </summary>
internal sealed class GroundTruth
{
    private readonly long[] _byKind = new long[BatchTruth.KindCount];
    private readonly ulong[] _seenUsers;
    private readonly Lock _lock = new();
    private long _events;
    private long _revenueCents;
    private long _uniqueUsers;
    private long _minTimeMs = long.MaxValue;
    private long _maxTimeMs = long.MinValue;

    public GroundTruth(int userCount) => _seenUsers = new ulong[(userCount + 63) / 64];

    /// <summary>Adds an acknowledged batch; safe to call from several sender tasks.</summary>
    public void Merge(BatchTruth batch)
    {
        lock (_lock)
        {
            _events += batch.Events;
            for (int k = 0; k < _byKind.Length; k++)
            {
                _byKind[k] += batch.ByKind[k];
            }

            _revenueCents += batch.RevenueCents;
            for (int i = 0; i < batch.Events; i++)
            {
                int user = batch.Users[i];
                ulong bit = 1UL << (user & 63);
                ref ulong word = ref _seenUsers[user >> 6];
                if ((word & bit) == 0)
                {
                    word |= bit;
                    _uniqueUsers++;
                }
            }

            if (batch.Events > 0)
            {
                _minTimeMs = Math.Min(_minTimeMs, batch.MinTimeMs);
                _maxTimeMs = Math.Max(_maxTimeMs, batch.MaxTimeMs);
            }
        }
    }

    public TruthTotals Snapshot()
    {
        lock (_lock)
        {
            var byType = new SortedDictionary<string, long>(StringComparer.Ordinal);
            for (int k = 1; k < _byKind.Length; k++)
            {
                byType[System.Text.Encoding.UTF8.GetString(NdjsonEventWriter.TypeName((EventKind)k))] = _byKind[k];
            }

            return new TruthTotals(
                _events,
                byType,
                _byKind[(int)EventKind.PageView],
                _uniqueUsers,
                _revenueCents / 100m,
                _byKind[(int)EventKind.Purchase],
                _events > 0 ? _minTimeMs : null,
                _events > 0 ? _maxTimeMs : null);
        }
    }
}
