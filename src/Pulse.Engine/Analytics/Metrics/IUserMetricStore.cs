namespace Pulse.Analytics.Metrics;

/// <summary>Reads one stored user-metric aggregate back when an event reaches a bucket that left memory.</summary>
public interface IUserMetricStore
{
    UserMetricCell? TryLoadMetricCell(int partition, in UserMetricKey key, MetricAggregate aggregate);
}
