using System.Globalization;

namespace Pulse.Generate;

/// <summary>Parses the command line's time values: durations (<c>30s</c>, <c>5m</c>) and instants (RFC 3339 or epoch ms).</summary>
public static class TimeArguments
{
    /// <summary><c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>, or a plain number of seconds.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        ReadOnlySpan<char> s = text.AsSpan().Trim();
        (int suffix, double unitSeconds) = s switch
        {
            _ when s.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (2, 0.001),
            _ when s.EndsWith('s') || s.EndsWith('S') => (1, 1.0),
            _ when s.EndsWith('m') || s.EndsWith('M') => (1, 60.0),
            _ when s.EndsWith('h') || s.EndsWith('H') => (1, 3600.0),
            _ when s.EndsWith('d') || s.EndsWith('D') => (1, 86400.0),
            _ => (0, 1.0),
        };
        ReadOnlySpan<char> number = s[..^suffix];
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(value * unitSeconds);
        return true;
    }

    /// <summary>An RFC 3339 timestamp or epoch milliseconds, as epoch milliseconds.</summary>
    public static bool TryParseInstant(string text, out long epochMs)
    {
        epochMs = 0;
        string s = text.Trim();
        if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out epochMs))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset time))
        {
            epochMs = time.ToUnixTimeMilliseconds();
            return true;
        }

        return false;
    }
}
