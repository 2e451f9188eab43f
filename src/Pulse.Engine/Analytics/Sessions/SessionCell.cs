using Pulse.Processing.Aggregation;
using Pulse.Processing.State;

namespace Pulse.Analytics.Sessions;

/// <summary>Where a session aggregate lives: the bucket of the session's start, by country and device.</summary>
public readonly record struct SessionCellKey(Resolution Resolution, long Bucket, int Country, int Device);

/// <summary>
/// The sessions that started in one bucket (one country × device): how many started, and of those
/// that ended, how many bounced and their durations and page counts as quantile sketches.
/// </summary>
public sealed class SessionCell
{
    public long Started { get; set; }
    public long Ended { get; set; }

    /// <summary>Ended sessions with exactly one page view.</summary>
    public long Bounces { get; set; }

    /// <summary>Durations of ended sessions in seconds (last event time − first event time).</summary>
    public DDSketch DurationSeconds { get; init; } = new();

    /// <summary>Page views per ended session.</summary>
    public DDSketch Pages { get; init; } = new();

    public bool Dirty { get; set; }

    public void Merge(SessionCell other)
    {
        Started += other.Started;
        Ended += other.Ended;
        Bounces += other.Bounces;
        DurationSeconds.Merge(other.DurationSeconds);
        Pages.Merge(other.Pages);
    }
}

/// <summary>Counts of ended sessions by their first (entry) or last (exit) page, in the bucket of the session's start.</summary>
public readonly record struct SessionPageKey(Resolution Resolution, long Bucket, bool Exit, int Page);
