namespace Pulse.Processing.Aggregation;

/// <summary>The bucket widths rollups are kept at.</summary>
public enum Resolution : byte
{
    Second = 0,
    Minute = 1,
    Hour = 2,
    Day = 3,
}

public static class Resolutions
{
    public const int Count = 4;

    public static long WidthMs(this Resolution resolution) => resolution switch
    {
        Resolution.Second => 1_000,
        Resolution.Minute => 60_000,
        Resolution.Hour => 3_600_000,
        _ => 86_400_000,
    };

    /// <summary>Start of the bucket that contains <paramref name="timeMs"/> (floor, also for negative times).</summary>
    /// <summary>The buckets of a resolution that lie wholly inside [from, to): [Lo, Hi) of their starts.</summary>
    public static (long Lo, long Hi) Covered(this Resolution resolution, long fromMs, long toMs)
    {
        long w = resolution.WidthMs();
        long lo = resolution.BucketStart(fromMs) == fromMs ? fromMs : resolution.BucketStart(fromMs) + w;
        long hi = resolution.BucketStart(toMs);
        return (lo, Math.Max(lo, hi));
    }

    public static long BucketStart(this Resolution resolution, long timeMs)
    {
        long width = resolution.WidthMs();
        long start = timeMs - (timeMs % width);
        return timeMs < 0 && start != timeMs ? start - width : start;
    }

    public static string Name(this Resolution resolution) => resolution switch
    {
        Resolution.Second => "1s",
        Resolution.Minute => "1m",
        Resolution.Hour => "1h",
        _ => "1d",
    };
}
