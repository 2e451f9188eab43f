namespace Pulse.Tests.Reliability;

/// <summary>
/// Short form by default (what CI runs, seconds per suite); the long form when
/// <c>PULSE_RELIABILITY=long</c> (tests/reliability.sh --long): more kills, more fuzz cases, a
/// 30-minute soak.
/// </summary>
internal static class ReliabilityMode
{
    public static bool IsLong { get; } = string.Equals(Environment.GetEnvironmentVariable("PULSE_RELIABILITY"), "long", StringComparison.OrdinalIgnoreCase);

    public static string Name => IsLong ? "long" : "short";

    /// <summary>The short-form size, or the long-form one under <c>PULSE_RELIABILITY=long</c>.</summary>
    public static int Pick(int shortForm, int longForm) => IsLong ? longForm : shortForm;

    public static TimeSpan Pick(TimeSpan shortForm, TimeSpan longForm) => IsLong ? longForm : shortForm;
}
