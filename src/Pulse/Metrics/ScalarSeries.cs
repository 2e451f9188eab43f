namespace Pulse.Metrics;

/// <summary>One counter or gauge series: integer and floating parts kept apart so long counters stay exact.</summary>
internal sealed class ScalarSeries
{
    private long _integer;
    private long _fractionBits;

    public double Value => Interlocked.Read(ref _integer) + BitConverter.Int64BitsToDouble(Interlocked.Read(ref _fractionBits));

    /// <summary>The value when only whole numbers were recorded, exact beyond a double's 2^53; otherwise null.</summary>
    public long? Integer => Interlocked.Read(ref _fractionBits) == 0 ? Interlocked.Read(ref _integer) : null;

    public void Add(long delta) => Interlocked.Add(ref _integer, delta);

    public void Add(double delta) => AtomicDouble.Add(ref _fractionBits, delta);

    public void Set(long value)
    {
        Interlocked.Exchange(ref _integer, value);
        Interlocked.Exchange(ref _fractionBits, 0);
    }

    public void Set(double value)
    {
        Interlocked.Exchange(ref _integer, 0);
        Interlocked.Exchange(ref _fractionBits, BitConverter.DoubleToInt64Bits(value));
    }
}

internal static class AtomicDouble
{
    /// <summary>Lock-free add to a double stored as its bits.</summary>
    public static void Add(ref long bits, double delta)
    {
        long seen = Interlocked.Read(ref bits);
        while (true)
        {
            long next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + delta);
            long found = Interlocked.CompareExchange(ref bits, next, seen);
            if (found == seen)
            {
                return;
            }

            seen = found;
        }
    }
}
