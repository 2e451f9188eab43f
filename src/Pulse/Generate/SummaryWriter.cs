using System.Globalization;
using System.Text.Json;

namespace Pulse.Generate;

/// <summary>Prints a <see cref="GenerateSummary"/>: the contract's JSON shape, or lines for a person.</summary>
public static class SummaryWriter
{
    public static void WriteJson(GenerateSummary summary, Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false });
        json.WriteStartObject();
        json.WriteNumber("sent", summary.Sent);
        json.WriteNumber("accepted", summary.Accepted);
        json.WriteNumber("duplicates", summary.Duplicates);
        json.WriteNumber("rejected", summary.Rejected);
        json.WriteNumber("retries", summary.Retries);
        json.WriteNumber("failed_batches", summary.FailedBatches);
        json.WriteNumber("elapsed_ms", summary.ElapsedMs);
        json.WriteNumber("events_per_second", Math.Round(summary.EventsPerSecond, 1));
        json.WriteStartObject("ack_latency_ms");
        WriteNullable(json, "p50", summary.AckLatencyP50Ms);
        WriteNullable(json, "p99", summary.AckLatencyP99Ms);
        json.WriteEndObject();
        json.WriteBoolean("cancelled", summary.Cancelled);
        TruthTotals truth = summary.Truth;
        json.WriteStartObject("truth");
        json.WriteNumber("events", truth.Events);
        json.WriteStartObject("by_type");
        foreach (KeyValuePair<string, long> entry in truth.ByType)
        {
            json.WriteNumber(entry.Key, entry.Value);
        }

        json.WriteEndObject();
        json.WriteNumber("page_views", truth.PageViews);
        json.WriteNumber("unique_users", truth.UniqueUsers);
        json.WriteNumber("revenue", truth.Revenue);
        json.WriteNumber("orders", truth.Orders);
        WriteNullable(json, "min_event_time", truth.MinEventTimeMs);
        WriteNullable(json, "max_event_time", truth.MaxEventTimeMs);
        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
        output.Flush();
    }

    public static void WriteText(GenerateSummary summary, TextWriter output, bool sending)
    {
        var c = CultureInfo.InvariantCulture;
        TruthTotals truth = summary.Truth;
        output.WriteLine(string.Format(c, "{0} {1:N0} events in {2:N1} s ({3:N0} events/s){4}",
            sending ? "sent" : "wrote", summary.Sent, summary.ElapsedMs / 1000.0, summary.EventsPerSecond, summary.Cancelled ? ", stopped early" : ""));
        if (sending)
        {
            output.WriteLine(string.Format(c, "accepted {0:N0}, duplicates {1:N0}, rejected {2:N0}, retries {3:N0}, failed batches {4:N0}",
                summary.Accepted, summary.Duplicates, summary.Rejected, summary.Retries, summary.FailedBatches));
            output.WriteLine(string.Format(c, "ack latency p50 {0} ms, p99 {1} ms",
                Format(summary.AckLatencyP50Ms), Format(summary.AckLatencyP99Ms)));
        }

        output.WriteLine(string.Format(c, "truth{0}: {1:N0} events, {2:N0} page views, {3:N0} unique users, {4:N0} orders, revenue {5} EUR",
            sending ? " (acknowledged)" : "", truth.Events, truth.PageViews, truth.UniqueUsers, truth.Orders, truth.Revenue.ToString("0.00", c)));
        var byType = new System.Text.StringBuilder("by type:");
        foreach (KeyValuePair<string, long> entry in truth.ByType)
        {
            byType.Append(c, $" {entry.Key}={entry.Value}");
        }

        output.WriteLine(byType.ToString());
        if (truth.MinEventTimeMs is long min && truth.MaxEventTimeMs is long max)
        {
            output.WriteLine(string.Format(c, "event times {0:O} .. {1:O}",
                DateTimeOffset.FromUnixTimeMilliseconds(min).UtcDateTime, DateTimeOffset.FromUnixTimeMilliseconds(max).UtcDateTime));
        }
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, double? value)
    {
        if (value is double v)
        {
            json.WriteNumber(name, Math.Round(v, 3));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, long? value)
    {
        if (value is long v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string Format(double? value) => value is double v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "-";
}
