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
