namespace Pulse.Analytics.Metrics;

/// <summary>Reads one stored user-metric aggregate back when an event reaches a bucket that left memory.</summary>
public interface IUserMetricStore
{
    UserMetricCell? TryLoadMetricCell(int partition, in UserMetricKey key, MetricAggregate aggregate);

    /// <summary>An event time no stored aggregate of the partition's buckets reaches (MinValue: none stored).</summary>
    long StoredThrough(int partition);
}
