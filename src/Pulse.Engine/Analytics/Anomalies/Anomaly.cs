using System.Text.Json;

namespace Pulse.Analytics.Anomalies;

/// <summary>One final bucket of one series that its baseline does not explain.</summary>
/// <param name="TimeMs">Start of the bucket, epoch milliseconds.</param>
/// <param name="WidthMs">Width of the bucket: 1000 (per-second series) or 60000 (per-minute series).</param>
/// <param name="Series">The series, as the caller identified it.</param>
/// <param name="Value">The bucket's value.</param>
/// <param name="Expected">The baseline's value for the bucket, in the units of <paramref name="Value"/>.</param>
/// <param name="Score">Signed robust z-score: positive for a spike, negative for a drop.</param>
/// <param name="Severity">Warning or Critical, from |<paramref name="Score"/>|.</param>
public readonly record struct Anomaly(
    long TimeMs,
    long WidthMs,
    SeriesKey Series,
    double Value,
    double Expected,
    double Score,
    AnomalySeverity Severity)
{
    /// <summary>
    /// Writes the contract object <c>{"ts", "metric", "group": {name: value}, "value", "expected",
    /// "score", "severity"}</c>; the caller supplies the names its <see cref="SeriesKey"/> ids stand for
    /// (no group name: <c>"group": {}</c>).
    /// </summary>
    public void WriteJson(Utf8JsonWriter writer, string metric, string? groupName = null, string? groupValue = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteNumber("ts", TimeMs);
        writer.WriteString("metric", metric);
        writer.WriteStartObject("group");
        if (groupName is not null)
        {
            writer.WriteString(groupName, groupValue);
        }

        writer.WriteEndObject();
        writer.WriteNumber("value", Value);
        writer.WriteNumber("expected", Math.Round(Expected, 3));
        writer.WriteNumber("score", Math.Round(Score, 2));
        writer.WriteString("severity", Severity == AnomalySeverity.Critical ? "critical" : "warning");
        writer.WriteEndObject();
    }
}
