using System.Diagnostics.Metrics;
using System.Globalization;

namespace Pulse.Metrics;

/// <summary>Instruments of the HTTP side: requests, ingest bodies, queries, the live feed. Recorded once per request or message.</summary>
public static class ServerInstruments
{
    public const string MeterName = "Pulse.Server";

    private static readonly Meter Meter = new(MeterName);

    private static readonly double[] RequestSeconds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public static readonly Counter<long> HttpRequests = Meter.CreateCounter<long>("pulse_http_requests", null,
        "HTTP requests completed, by method, route pattern and status code.");

    public static readonly Histogram<double> HttpRequestSeconds = Meter.CreateHistogram("pulse_http_request_duration_seconds", "s",
        "HTTP request duration from the first middleware to the response's end, by method, route pattern and status code (WebSocket sessions excluded).",
        tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = RequestSeconds });

    public static readonly UpDownCounter<long> HttpInFlight = Meter.CreateUpDownCounter<long>("pulse_http_requests_in_flight", null,
        "HTTP requests being served, WebSocket sessions included.");

    public static readonly Counter<long> EventsReceived = Meter.CreateCounter<long>("pulse_ingest_events_received", null,
        "Events found in ingest bodies that parsed, valid or not.");

    public static readonly Counter<long> EventsRejected = Meter.CreateCounter<long>("pulse_ingest_events_rejected", null,
        "Events rejected by validation, by reason.");

    public static readonly Counter<long> RequestsRejected = Meter.CreateCounter<long>("pulse_ingest_requests_rejected", null,
        "Ingest requests refused as a whole (nothing acknowledged), by reason.");

    public static readonly Histogram<long> RequestBodyBytes = Meter.CreateHistogram("pulse_ingest_request_body_bytes", "By",
        "Ingest request body size after decompression.", tags: null,
        new InstrumentAdvice<long> { HistogramBucketBoundaries = [256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216] });

    public static readonly Histogram<long> BatchEvents = Meter.CreateHistogram("pulse_ingest_batch_events", null,
        "Events per ingest request (valid and rejected).", tags: null,
        new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10_000] });

    public static readonly Histogram<double> QuerySeconds = Meter.CreateHistogram("pulse_query_duration_seconds", "s",
        "Time to answer a query (engine work only, without serialisation), by endpoint.", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = RequestSeconds });

    public static readonly Counter<long> LiveMessagesSent = Meter.CreateCounter<long>("pulse_live_messages_sent", null,
        "Snapshot messages handed to WebSocket clients.");

    private static readonly string[] StatusCodes = [.. Enumerable.Range(0, 600).Select(static s => s.ToString(CultureInfo.InvariantCulture))];

    /// <summary>The status code as a cached string, so a label costs no allocation.</summary>
    public static string Status(int code) => (uint)code < (uint)StatusCodes.Length ? StatusCodes[code] : "other";

    public static void RecordRejected(string reason) =>
        RequestsRejected.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
