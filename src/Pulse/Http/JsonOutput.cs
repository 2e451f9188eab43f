using System.Text.Json;
using Pulse.Ingest;
using Pulse.Query;

namespace Pulse.Http;

/// <summary>Writes the contract's JSON documents directly with Utf8JsonWriter: exact shapes, no reflection.</summary>
public static class JsonOutput
{
    public static void WriteIngest(Utf8JsonWriter w, IngestResult result, int rejected, IReadOnlyList<IngestError> errors, int maxErrors = 100)
    {
        w.WriteStartObject();
        WriteIngestCounts(w, result, rejected, errors, maxErrors);
        w.WriteEndObject();
    }

    /// <summary>The members of an ingest answer, for the Segment endpoints to put beside their <c>success</c>.</summary>
    public static void WriteIngestCounts(Utf8JsonWriter w, IngestResult result, int rejected, IReadOnlyList<IngestError> errors, int maxErrors = 100)
    {
        w.WriteNumber("accepted"u8, result.Accepted);
        w.WriteNumber("duplicates"u8, result.Duplicates);
        w.WriteNumber("rejected"u8, rejected);
        w.WriteStartArray("errors"u8);
        for (int i = 0; i < errors.Count && i < maxErrors; i++)
        {
            w.WriteStartObject();
            w.WriteNumber("index"u8, errors[i].Index);
            w.WriteString("error"u8, errors[i].Error);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (errors.Count > maxErrors)
        {
            w.WriteNumber("errors_truncated"u8, errors.Count - maxErrors);
        }
    }

    public static void WriteMetrics(Utf8JsonWriter w, IReadOnlyList<MetricDefinition> metrics, IReadOnlyList<Pulse.Analytics.Metrics.UserMetric> userMetrics, IEnumerable<string> patterns)
    {
        w.WriteStartObject();
        w.WriteStartArray("metrics"u8);
        foreach (MetricDefinition m in metrics)
        {
            w.WriteStartObject();
            w.WriteString("name"u8, m.Name);
            w.WriteString("kind"u8, m.KindName);
            w.WriteString("description"u8, m.Description);
            w.WriteStartArray("dimensions"u8);
            foreach (Processing.Aggregation.Dimension d in Processing.Aggregation.Dimensions.Each)
            {
                if ((m.Dimensions & d) != 0)
                {
                    w.WriteStringValue(Processing.Aggregation.Dimensions.Name(d));
                }
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        foreach (Pulse.Analytics.Metrics.UserMetric m in userMetrics)
        {
            w.WriteStartObject();
            w.WriteString("name"u8, m.Name);
            w.WriteString("kind"u8, m.KindName);
            w.WriteString("description"u8, m.Description ?? $"User-defined: {m.AggregateName}{(m.Field is null ? "" : " of " + m.Field.Name)}.");
            w.WriteStartArray("dimensions"u8);
            foreach (Pulse.Analytics.Metrics.MetricField g in m.GroupBy)
            {
                w.WriteStringValue(g.Name);
            }

            w.WriteEndArray();
            w.WriteBoolean("user_defined"u8, true);
            w.WriteEndObject();
        }

        foreach (string pattern in patterns)
        {
            w.WriteStartObject();
            w.WriteString("name"u8, pattern);
            w.WriteString("kind"u8, "count"u8);
            w.WriteString("description"u8, $"Matches of the pattern '{pattern}', by the time each became certain; GET /v1/patterns/{pattern}/matches lists them.");
            w.WriteStartArray("dimensions"u8);
            w.WriteEndArray();
            w.WriteBoolean("pattern"u8, true);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void WriteMetricResult(Utf8JsonWriter w, MetricResult r)
    {
        w.WriteStartObject();
        w.WriteString("metric"u8, r.Metric);
        w.WriteNumber("from"u8, r.From);
        w.WriteNumber("to"u8, r.To);
        if (r.Step is null)
        {
            w.WriteNull("step"u8);
        }
        else
        {
            w.WriteString("step"u8, r.Step);
        }

        w.WriteString("resolution"u8, r.Resolution);
        if (r.Stat is not null)
        {
            w.WriteString("stat"u8, r.Stat);
        }

        if (r.Capped)
        {
            w.WriteBoolean("capped"u8, true);
        }

        if (r.Watermark != long.MinValue)
        {
            w.WriteNumber("watermark"u8, r.Watermark);
        }

        w.WriteStartArray("series"u8);
        foreach (MetricSeries s in r.Series)
        {
            w.WriteStartObject();
            w.WriteStartObject("group"u8);
            foreach (KeyValuePair<string, string?> g in s.Group)
            {
                if (g.Value is null)
                {
                    w.WriteNull(g.Key);
                }
                else
                {
                    w.WriteString(g.Key, g.Value);
                }
            }

            w.WriteEndObject();
            w.WriteNumber("total"u8, s.Total);
            if (s.Points is not null)
            {
                w.WriteStartArray("points"u8);
                foreach ((long ts, decimal value) in s.Points)
                {
                    w.WriteStartArray();
                    w.WriteNumberValue(ts);
                    w.WriteNumberValue(value);
                    w.WriteEndArray();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void WriteRealtime(Utf8JsonWriter w, RealtimeSnapshot s)
    {
        w.WriteStartObject();
        WriteRealtimeFields(w, s);
        w.WriteEndObject();
    }

    /// <summary>The live feed's message: the snapshot wrapped as <c>{"type":"snapshot","data":{...}}</c>.</summary>
    public static void WriteLiveSnapshot(Utf8JsonWriter w, RealtimeSnapshot s)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, "snapshot"u8);
        w.WriteStartObject("data"u8);
        WriteRealtimeFields(w, s);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteRealtimeFields(Utf8JsonWriter w, RealtimeSnapshot s)
    {
        w.WriteNumber("ts"u8, s.Ts);
        w.WriteNumber("events_per_second"u8, s.EventsPerSecond);
        w.WriteNumber("events_last_minute"u8, s.EventsLastMinute);
        w.WriteNumber("active_users_5m"u8, s.ActiveUsers5m);
        w.WriteNumber("revenue_last_hour"u8, s.RevenueLastHour);
        w.WriteStartObject("by_type"u8);
        foreach (KeyValuePair<string, long> t in s.ByType)
        {
            w.WriteNumber(t.Key, t.Value);
        }

        w.WriteEndObject();
        WriteTop(w, "top_pages"u8, s.TopPages);
        WriteTop(w, "top_products"u8, s.TopProducts);
        w.WriteStartObject("pipeline"u8);
        w.WriteNumber("ingest_per_second"u8, s.Pipeline.IngestPerSecond);
        w.WriteNumber("lag_events"u8, s.Pipeline.LagEvents);
        w.WriteNumber("watermark_delay_ms"u8, s.Pipeline.WatermarkDelayMs);
        w.WriteNumber("freshness_p99_ms"u8, s.Pipeline.FreshnessP99Ms);
        w.WriteNumber("checkpoint_age_ms"u8, s.Pipeline.CheckpointAgeMs);
        w.WriteNumber("checkpoint_duration_ms"u8, s.Pipeline.CheckpointDurationMs);
        w.WriteNumber("checkpoint_rows"u8, s.Pipeline.CheckpointRows);
        w.WriteNumber("checkpoint_lock_ms"u8, s.Pipeline.CheckpointLockMs);
        w.WriteEndObject();
    }

    private static void WriteTop(Utf8JsonWriter w, ReadOnlySpan<byte> name, IReadOnlyList<TopEntry> entries)
    {
        w.WriteStartArray(name);
        foreach (TopEntry e in entries)
        {
            w.WriteStartObject();
            w.WriteString("key"u8, e.Key);
            w.WriteNumber("value"u8, e.Value);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
