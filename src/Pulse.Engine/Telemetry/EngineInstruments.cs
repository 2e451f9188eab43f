using System.Diagnostics.Metrics;

namespace Pulse.Telemetry;

/// <summary>
/// Histograms the engine records on its hot paths, once per flush cycle, batch or checkpoint —
/// never per event. Static because the log, processors and checkpointer hold no reference to a
/// telemetry object; with no listener a record costs a field check.
/// </summary>
public static class EngineInstruments
{
    public const string MeterName = "Pulse.Engine";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Bucket bounds in seconds for disk operations (fsync is ~0.3 ms on this hardware).</summary>
    internal static readonly double[] DiskSeconds = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    /// <summary>Bucket bounds in seconds for pipeline delays (ack → queryable, checkpoints).</summary>
    internal static readonly double[] PipelineSeconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    internal static readonly double[] Sizes = [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 50_000, 100_000];

    internal static readonly double[] ByteSizes = [1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216, 67_108_864];

    public static readonly Histogram<double> LogFsyncSeconds = Seconds("pulse_log_fsync_duration_seconds",
        "Duration of one fsync of a log segment.", DiskSeconds);

    public static readonly Histogram<double> LogWriteSeconds = Seconds("pulse_log_write_duration_seconds",
        "Duration of one group-commit cycle of a partition log: write and fsync of every append since the previous cycle.", DiskSeconds);

    public static readonly Histogram<long> LogFlushBytes = Meter.CreateHistogram("pulse_log_flush_bytes", "By",
        "Bytes written by one group-commit cycle.", tags: null, new InstrumentAdvice<long> { HistogramBucketBoundaries = ToLong(ByteSizes) });

    public static readonly Histogram<double> AppendSeconds = Seconds("pulse_log_append_duration_seconds",
        "Time an ingest request waits from appending its events until all of them are durable (the part of the ack that is the log).", PipelineSeconds);

    public static readonly Histogram<double> FreshnessSeconds = Seconds("pulse_freshness_seconds",
        "Ack to queryable: from a batch's oldest record becoming durable to its events being visible to queries.", PipelineSeconds);

    public static readonly Histogram<long> ProcessorBatchEvents = Meter.CreateHistogram("pulse_processing_batch_events", null,
        "Events a partition processor applied in one batch.", tags: null, new InstrumentAdvice<long> { HistogramBucketBoundaries = ToLong(Sizes) });

    public static readonly Histogram<double> CheckpointSeconds = Seconds("pulse_checkpoint_duration_seconds",
        "Duration of one checkpoint (snapshot, store transaction, eviction, retention).", PipelineSeconds);

    public static readonly Histogram<double> StoreWriteSeconds = Seconds("pulse_store_write_duration_seconds",
        "Duration of one checkpoint's store transaction.", PipelineSeconds);

    public static readonly Histogram<long> CheckpointRows = Meter.CreateHistogram("pulse_checkpoint_rows", null,
        "Rows (cells and sketches) one checkpoint wrote.", tags: null, new InstrumentAdvice<long> { HistogramBucketBoundaries = ToLong(Sizes) });

    private static Histogram<double> Seconds(string name, string description, double[] bounds) =>
        Meter.CreateHistogram(name, "s", description, tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = bounds });

    private static long[] ToLong(double[] bounds) => Array.ConvertAll(bounds, b => (long)b);
}
