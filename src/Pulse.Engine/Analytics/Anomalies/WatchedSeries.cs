using Pulse.Processing.Aggregation;
using Pulse.Query;

namespace Pulse.Analytics.Anomalies;

/// <summary>
/// One family of series the anomaly monitor watches: a built-in metric, optionally split by one of
/// its dimensions (<c>events:type</c> is one series per event type), written <c>metric[:dimension]</c>.
/// </summary>
public sealed record WatchedSeries(string Text, MetricDefinition Metric, Dimension? GroupBy)
{
    public static IReadOnlyList<string> Defaults { get; } = ["events:type", "revenue", "orders", "late_events"];

    public string? GroupName => GroupBy?.Name();

    /// <summary>Parses <c>metric</c> or <c>metric:dimension</c>; null with an error a person can act on.</summary>
    public static WatchedSeries? Parse(string text, out string? error)
    {
        error = null;
        string[] parts = text.Split(':', 2, StringSplitOptions.TrimEntries);
        MetricDefinition? metric = MetricCatalog.Find(parts[0]);
        if (metric is null || metric.IsSessionMetric)
        {
            error = $"Pulse:Anomalies:Series: '{parts[0]}' is not an event metric; use one of {string.Join(", ", MetricCatalog.BuiltIn.Where(m => !m.IsSessionMetric).Select(m => m.Name))}, optionally with ':dimension' (e.g. events:type).";
            return null;
        }

        if (parts.Length == 1)
        {
            return new WatchedSeries(text, metric, null);
        }

        if (!Dimensions.TryParse(parts[1], out Dimension dimension) || (metric.Dimensions & dimension) == 0)
        {
            error = $"Pulse:Anomalies:Series: '{parts[1]}' is not a dimension of '{metric.Name}' (in '{text}').";
            return null;
        }

        return new WatchedSeries(text, metric, dimension);
    }
}
