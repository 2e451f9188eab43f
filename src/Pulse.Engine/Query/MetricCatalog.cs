using Pulse.Processing.Aggregation;

namespace Pulse.Query;

/// <summary>The built-in metrics of the contract.</summary>
public static class MetricCatalog
{
    public static IReadOnlyList<MetricDefinition> BuiltIn { get; } =
    [
        new("events", MetricKind.Count, MetricValue.Count, Dimension.All, null, "All events."),
        new("page_views", MetricKind.Count, MetricValue.Count, Dimension.Page | Dimension.Country | Dimension.Device, "page_view", "Events of type page_view."),
        new("unique_users", MetricKind.Unique, MetricValue.Count, Dimension.Type | Dimension.Page | Dimension.Country | Dimension.Device, null, "Distinct users (HyperLogLog, ≤2% error); grouped or filtered by one dimension at a time."),
        new("revenue", MetricKind.Sum, MetricValue.RevenueMicros, Dimension.Product | Dimension.Country | Dimension.Device, "purchase", "Sum of purchase revenue."),
        new("orders", MetricKind.Count, MetricValue.Count, Dimension.Product | Dimension.Country | Dimension.Device, "purchase", "Events of type purchase."),
        new("late_events", MetricKind.Count, MetricValue.Late, Dimension.Type, null, "Events that arrived after their window was final (by event time)."),
        new("sessions", MetricKind.Count, MetricValue.SessionsStarted, Dimension.Country | Dimension.Device, null, "Sessions, counted when they start, in the bucket of their first event."),
        new("bounce_rate", MetricKind.Ratio, MetricValue.BounceRate, Dimension.Country | Dimension.Device, null, "Of the ended sessions that started in the range, the share with exactly one page view."),
        new("session_duration_seconds", MetricKind.Distribution, MetricValue.SessionDurationSeconds, Dimension.Country | Dimension.Device, null, "Duration of ended sessions (first to last event), by their start; DDSketch, ≤1% relative error."),
        new("pages_per_session", MetricKind.Distribution, MetricValue.PagesPerSession, Dimension.Country | Dimension.Device, null, "Page views per ended session, by their start; DDSketch, ≤1% relative error."),
        new("entry_pages", MetricKind.Count, MetricValue.EntryPages, Dimension.Page, null, "Ended sessions by their first page viewed, by their start."),
        new("exit_pages", MetricKind.Count, MetricValue.ExitPages, Dimension.Page, null, "Ended sessions by their last page viewed, by their start."),
    ];

    public static MetricDefinition? Find(string name)
    {
        foreach (MetricDefinition metric in BuiltIn)
        {
            if (metric.Name == name)
            {
                return metric;
            }
        }

        return null;
    }
}
