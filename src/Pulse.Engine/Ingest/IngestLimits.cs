using Pulse.Hosting;

namespace Pulse.Ingest;

/// <summary>
/// The parser's limits, resolved once from <see cref="IngestOptions"/> so the hot path reads plain
/// integers and the rejection messages are built once rather than per rejected event.
/// </summary>
public sealed class IngestLimits
{
    public IngestLimits(int maxEventsPerRequest, int maxDepth, int maxProperties, TimeSpan maxFutureSkew, TimeSpan maxPastAge)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEventsPerRequest, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDepth, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxDepth, 64);
        ArgumentOutOfRangeException.ThrowIfNegative(maxProperties);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFutureSkew, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPastAge, TimeSpan.Zero);

        MaxEventsPerRequest = maxEventsPerRequest;
        MaxDepth = maxDepth;
        MaxProperties = maxProperties;
        MaxFutureSkew = maxFutureSkew;
        MaxPastAge = maxPastAge;
        MaxFutureSkewMs = ToMilliseconds(maxFutureSkew);
        MaxPastAgeMs = ToMilliseconds(maxPastAge);

        TooManyEventsError = $"too many events: at most {maxEventsPerRequest} per request";
        TooDeepError = $"JSON nesting deeper than {maxDepth} levels";
        TooManyPropertiesError = $"field 'properties' has more than {maxProperties} entries";
        FutureTimestampError = $"field 'timestamp' is more than {Describe(maxFutureSkew)} in the future";
        PastTimestampError = $"field 'timestamp' is more than {Describe(maxPastAge)} in the past";
    }

    public static IngestLimits Default { get; } = FromOptions(new IngestOptions());

    public int MaxEventsPerRequest { get; }

    /// <summary>Deepest nesting inside one event; the event object itself is level 1.</summary>
    public int MaxDepth { get; }

    public int MaxProperties { get; }
    public TimeSpan MaxFutureSkew { get; }
    public TimeSpan MaxPastAge { get; }

    internal long MaxFutureSkewMs { get; }
    internal long MaxPastAgeMs { get; }
    internal string TooManyEventsError { get; }
    internal string TooDeepError { get; }
    internal string TooManyPropertiesError { get; }
    internal string FutureTimestampError { get; }
    internal string PastTimestampError { get; }

    public static IngestLimits FromOptions(IngestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new IngestLimits(options.MaxEventsPerRequest, options.MaxDepth, options.MaxProperties, options.MaxFutureSkew, options.MaxPastAge);
    }

    private static long ToMilliseconds(TimeSpan span) => span.Ticks / TimeSpan.TicksPerMillisecond;

    private static string Describe(TimeSpan span)
    {
        if (span.Ticks % TimeSpan.TicksPerDay == 0)
        {
            return $"{span.Ticks / TimeSpan.TicksPerDay}d";
        }

        if (span.Ticks % TimeSpan.TicksPerHour == 0)
        {
            return $"{span.Ticks / TimeSpan.TicksPerHour}h";
        }

        if (span.Ticks % TimeSpan.TicksPerMinute == 0)
        {
            return $"{span.Ticks / TimeSpan.TicksPerMinute}m";
        }

        return $"{ToMilliseconds(span)}ms";
    }
}
