using System.ComponentModel.DataAnnotations;

namespace Pulse.Analytics;

/// <summary>Settings of the per-user analytics (sessions, funnels, patterns), bound from <c>Pulse:Analytics</c>.</summary>
public sealed class AnalyticsOptions : IValidatableObject
{
    /// <summary>Off skips sessions, funnels and patterns entirely (the foundation's aggregates still run).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A user's session ends after this long without an event (event time).</summary>
    public TimeSpan SessionGap { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Session, funnel and match aggregates of buckets that ended this long before the watermark,
    /// and have been checkpointed, leave memory; a late change loads them back from the store.
    /// </summary>
    public TimeSpan ResidentAggregates { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Most users with live analytics state per partition; events of further users are counted in <c>pulse_analytics_dropped_events_total</c> and skipped by sessions, funnels and patterns.</summary>
    [Range(1, int.MaxValue)]
    public int MaxUsersPerPartition { get; set; } = 2_000_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SessionGap < TimeSpan.FromSeconds(1) || SessionGap > TimeSpan.FromDays(1))
        {
            yield return new ValidationResult("Pulse:Analytics:SessionGap must be between 1 second and 1 day (e.g. \"00:30:00\").", [nameof(SessionGap)]);
        }

        if (ResidentAggregates < TimeSpan.FromMinutes(1))
        {
            yield return new ValidationResult("Pulse:Analytics:ResidentAggregates must be at least one minute.", [nameof(ResidentAggregates)]);
        }
    }
}
