namespace Pulse.Ingest;

/// <summary>Exact money: decimal in, integer micro-units out. Doubles never touch an amount.</summary>
internal static class Money
{
    /// <summary>The largest amount accepted, in currency units.</summary>
    public const long MaxUnits = 1_000_000_000_000;

    public const long MaxMicros = MaxUnits * 1_000_000;

    /// <summary>Converts a non-negative amount of at most <see cref="MaxUnits"/> to micro-units, rounding half to even.</summary>
    public static bool TryToMicros(decimal amount, out long micros)
    {
        micros = 0;
        if (amount < 0m || amount > MaxUnits)
        {
            return false;
        }

        micros = (long)decimal.Round(amount * 1_000_000m, 0, MidpointRounding.ToEven);
        return true;
    }

    /// <summary>price × quantity in micro-units; false when beyond <see cref="MaxMicros"/>.</summary>
    public static bool TryMultiply(long priceMicros, int quantity, out long micros)
    {
        Int128 product = (Int128)priceMicros * quantity;
        if (product > MaxMicros)
        {
            micros = 0;
            return false;
        }

        micros = (long)product;
        return true;
    }
}
