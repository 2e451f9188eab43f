namespace Pulse.Ingest;

/// <summary>Counts occurrences per wall-clock second in a small ring; reads the last complete second.</summary>
public sealed class RateMeter(TimeProvider clock)
{
    private const int Slots = 8;
    private readonly long[] _seconds = new long[Slots];
    private readonly long[] _counts = new long[Slots];
    private long _total;

    public long Total => Interlocked.Read(ref _total);

    public void Add(long n)
    {
        long second = clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000;
        int slot = (int)(second % Slots);
        if (Volatile.Read(ref _seconds[slot]) != second)
        {
            lock (_counts)
            {
                if (_seconds[slot] != second)
                {
                    _counts[slot] = 0;
                    Volatile.Write(ref _seconds[slot], second);
                }
            }
        }

        Interlocked.Add(ref _counts[slot], n);
        Interlocked.Add(ref _total, n);
    }

    /// <summary>Occurrences in the last complete second.</summary>
    public long LastSecond()
    {
        long second = (clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000) - 1;
        int slot = (int)(second % Slots);
        return Volatile.Read(ref _seconds[slot]) == second ? Interlocked.Read(ref _counts[slot]) : 0;
    }
}
