using Pulse.Events;

namespace Pulse.Generate;

/// <summary>
/// The ground truth of one batch, kept aside until the batch is acknowledged: an event counts as
/// sent only when the server took responsibility for it.
/// </summary>
internal sealed class BatchTruth
{
    public const int KindCount = (int)EventKind.SessionEnd + 1;

    public readonly long[] ByKind = new long[KindCount];
    public int[] Users;
    public int Events;
    public long RevenueCents;
    public long MinTimeMs = long.MaxValue;
    public long MaxTimeMs = long.MinValue;

    public BatchTruth(int capacity) => Users = new int[capacity];

    public void Reset()
    {
        Array.Clear(ByKind);
        Events = 0;
        RevenueCents = 0;
        MinTimeMs = long.MaxValue;
        MaxTimeMs = long.MinValue;
    }

    public void Add(in GeneratedEvent e)
    {
        if (Events == Users.Length)
        {
            Array.Resize(ref Users, Users.Length * 2);
        }

        Users[Events++] = e.User;
        ByKind[(int)e.Kind]++;
        if (e.Kind == EventKind.Purchase)
        {
            RevenueCents += e.RevenueCents;
        }

        MinTimeMs = Math.Min(MinTimeMs, e.TimestampMs);
        MaxTimeMs = Math.Max(MaxTimeMs, e.TimestampMs);
    }
}
