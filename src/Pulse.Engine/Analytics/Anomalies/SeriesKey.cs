namespace Pulse.Analytics.Anomalies;

/// <summary>
/// Identity of one watched series, opaque to the detector: the caller chooses the ids (e.g. a metric
/// number and the dictionary id of the group's value, 0 for an ungrouped metric) and maps them back
/// to names when it publishes an <see cref="Anomaly"/>.
/// </summary>
/// <param name="Metric">Caller-assigned id of the metric (events, revenue, orders, late_events, …).</param>
/// <param name="Group">Caller-assigned id of the group within the metric (0 when ungrouped).</param>
public readonly record struct SeriesKey(int Metric, int Group);
