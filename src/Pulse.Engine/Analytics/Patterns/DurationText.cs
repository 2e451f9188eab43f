using System.Globalization;

namespace Pulse.Analytics.Patterns;

/// <summary>Durations as definitions write them: a positive whole number and a unit, <c>90s</c>, <c>30m</c>, <c>1h</c>, <c>1d</c>.</summary>
public static class DurationText
{
    private static readonly (char Unit, long Ms)[] Units = [('d', 86_400_000), ('h', 3_600_000), ('m', 60_000), ('s', 1_000)];

    public static bool TryParse(string? text, out long ms)
    {
        ms = 0;
        if (text is null || text.Length < 2)
        {
            return false;
        }

        char unit = text[^1];
        ReadOnlySpan<char> digits = text.AsSpan(0, text.Length - 1);
        foreach (char c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        foreach ((char u, long unitMs) in Units)
        {
            if (u == unit && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n > 0 && n <= long.MaxValue / unitMs / 2)
            {
                ms = n * unitMs;
                return true;
            }
        }

        return false;
    }

    /// <summary>The shortest exact form: 3600000 → "1h", 90000 → "90s".</summary>
    public static string Format(long ms)
    {
        foreach ((char u, long unitMs) in Units)
        {
            if (ms % unitMs == 0)
            {
                return (ms / unitMs).ToString(CultureInfo.InvariantCulture) + u;
            }
        }

        return ms.ToString(CultureInfo.InvariantCulture) + "ms";
    }
}
