using System.Diagnostics.Metrics;
using Pulse.Hosting;
using Pulse.Log;
using Pulse.Processing;

namespace Pulse.Telemetry;

/// <summary>
/// Observable instruments over the state the engine already keeps (log stats, processor lag,
/// checkpointer, dedupe): read when a scrape collects them, so nothing is counted twice and the
/// hot paths pay nothing.
/// </summary>
public sealed class EngineMetrics : IDisposable
{
    public const string MeterName = "Pulse.Engine.State";

    private readonly Meter _meter = new(MeterName);
    private readonly PulseEngine _engine;
    private readonly KeyValuePair<string, object?>[] _partitionTags;

    public EngineMetrics(PulseEngine engine)
    {
        _engine = engine;
        _partitionTags = new KeyValuePair<string, object?>[engine.Log.Count];
        for (int p = 0; p < _partitionTags.Length; p++)
        {
            _partitionTags[p] = new("partition", p.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Meter m = _meter;
        m.CreateObservableCounter("pulse_ingest_events_accepted", () => engine.Ingest.Accepted.Total, null,
            "Events appended durably and acknowledged.");
        m.CreateObservableCounter("pulse_ingest_events_duplicate", () => engine.Ingest.Duplicates, null,
            "Events acknowledged as retries of an event_id already in the log (not appended again).");
        m.CreateObservableGauge("pulse_dedupe_entries", engine.Ingest.DedupeEntries, null,
            "Event ids remembered for deduplication.");
        m.CreateObservableGauge("pulse_dedupe_effective_horizon_seconds", () => Math.Min(engine.Ingest.EffectiveDedupeHorizon().TotalSeconds, engine.Options.Dedupe.Horizon.TotalSeconds), "s",
            "How far back retries are recognised; below Pulse:Dedupe:Horizon when the id cap forces ids out early.");

        m.CreateObservableGauge("pulse_log_size_bytes", () => PerPartition(static s => s.Bytes), "By", "Bytes in the retained segments of a partition log.");
        m.CreateObservableGauge("pulse_log_segments", () => PerPartition(static s => s.Segments), null, "Segment files of a partition log.");
        m.CreateObservableGauge("pulse_log_pending_bytes", () => PerPartition(static s => s.PendingBytes), "By",
            "Bytes appended but not yet written and fsynced (appends wait when this reaches Pulse:Log:MaxPendingBytes).");
        m.CreateObservableCounter("pulse_log_records_appended", () => PerPartition(static s => s.AppendedRecords), null, "Records made durable in a partition log.");
        m.CreateObservableCounter("pulse_log_fsyncs", () => PerPartition(static s => s.Fsyncs), null, "fsync calls on a partition log.");
        m.CreateObservableCounter("pulse_log_write_errors", () => PerPartition(static s => s.WriteErrors), null, "Failed writes or fsyncs of a partition log.");
        m.CreateObservableCounter("pulse_log_recovery_truncated_bytes", () => PerPartition(static s => s.RecoveryTruncatedBytes), "By",
            "Bytes of torn tail cut off by recovery at start.");
        m.CreateObservableCounter("pulse_log_corruptions_skipped", () => PerPartition(static s => s.CorruptionsSkipped), null,
            "Corrupt records found and skipped by recovery.");
        m.CreateObservableCounter("pulse_log_records_lost", () => PerPartition(static s => s.RecordsLost), null,
            "Acknowledged records found unreadable since start (corrupt, or in a missing or truncated segment): not counted anywhere.");
        m.CreateObservableCounter("pulse_log_scrubbed_bytes", () => engine.Scrubber.BytesScrubbed, "By",
            "Record bytes the scrubber read back and checked (Pulse:Log:ScrubInterval).");
        m.CreateObservableGauge("pulse_log_writable", WritablePartitions, null, "1 while a partition log takes appends, 0 after a write failure it could not undo.");
        m.CreateObservableGauge("pulse_disk_free_bytes", () => Disk(static d => d.AvailableFreeSpace), "By", "Free bytes on the data directory's file system.");
        m.CreateObservableGauge("pulse_disk_size_bytes", () => Disk(static d => d.TotalSize), "By", "Size of the data directory's file system.");

        m.CreateObservableGauge("pulse_processing_lag_events", ProcessingLagEvents, null, "Events durable in the log and not yet applied by the partition's processor.");
        m.CreateObservableGauge("pulse_processing_lag_seconds", ProcessingLagSeconds, "s",
            "Age of the oldest unapplied record of a partition (an upper bound off by at most one batch); 0 when caught up.");
        m.CreateObservableCounter("pulse_processing_events", () => PerState(static s => s.EventsProcessed), null, "Events applied by a partition's processor.");
        m.CreateObservableCounter("pulse_processing_late_events", () => PerState(static s => s.LateEvents), null,
            "Events that arrived after their window was final (still counted, and flagged in late_events).");
        m.CreateObservableCounter("pulse_processing_corrupt_records", () => PerProcessor(static p => p.CorruptRecords), null, "Durable records that did not decode and were skipped.");
        m.CreateObservableCounter("pulse_processing_store_stalls", () => PerProcessor(static p => p.StoreStalls), null,
            "Times a partition's processor had to wait for the store (a failed read of an evicted cell); it retries and resumes.");

        m.CreateObservableCounter("pulse_analytics_sessions_started", () => PerState(static s => s.Analytics?.SessionsStarted ?? 0), null, "Sessions started (event time).");
        m.CreateObservableCounter("pulse_analytics_sessions_ended", () => PerState(static s => s.Analytics?.SessionsEnded ?? 0), null, "Sessions ended (by inactivity, session_end, session_start or a new session_id).");
        m.CreateObservableCounter("pulse_analytics_late_events", () => PerState(static s => s.Analytics?.LateEvents ?? 0), null,
            "Events that belonged to a session that had already ended: counted, but applied to no session, funnel or pattern.");
        m.CreateObservableCounter("pulse_analytics_dropped_events", () => PerState(static s => s.Analytics?.DroppedEvents ?? 0), null,
            "Events of users beyond Pulse:Analytics:MaxUsersPerPartition, skipped by sessions, funnels and patterns.");
        m.CreateObservableCounter("pulse_analytics_pattern_matches", () => PerState(static s => s.Analytics?.Matches ?? 0), null, "Pattern matches found.");
        m.CreateObservableGauge("pulse_analytics_active_users", () => PerState(static s => s.Analytics?.ActiveUsers ?? 0), null,
            "Users with live analytics state (an open session, events waiting for the watermark, or pattern state).");
        m.CreateObservableGauge("pulse_analytics_waiting_events", () => PerState(static s => s.Analytics?.PendingEvents ?? 0), null,
            "Events waiting for the watermark before they reach their user's session, funnels and patterns.");
        m.CreateObservableCounter("pulse_anomalies_found", () => engine.Anomalies?.AnomaliesFound ?? 0, null, "Anomalies found on the watched series since start.");
        m.CreateObservableGauge("pulse_watermark_delay_seconds", WatermarkDelaySeconds, "s", "Now minus the global event-time watermark.");

        m.CreateObservableGauge("pulse_checkpoint_age_seconds", () => Math.Max(0, NowMs() - engine.Checkpointer.LastCheckpointMs) / 1000.0, "s",
            "Time since the last successful checkpoint.");
        m.CreateObservableCounter("pulse_checkpoints", () => engine.Checkpointer.Checkpoints, null, "Successful checkpoints.");
        m.CreateObservableCounter("pulse_checkpoint_failures", () => engine.Checkpointer.Failures, null, "Checkpoints whose store transaction failed (their changes stay pending).");
        m.CreateObservableGauge("pulse_store_divergences", StoreDivergences, null,
            "1 when the partition's stored rollups disagreed with its checkpoint at start (rebuilt from the log when it still held every record).");
        m.CreateObservableGauge("pulse_store_size_bytes", engine.Store.DatabaseBytes, "By", "Bytes of the SQLite store (database, WAL and shared-memory files).");
    }

    public void Dispose() => _meter.Dispose();

    private long NowMs() => _engine.Clock.GetUtcNow().ToUnixTimeMilliseconds();

    private Measurement<long>[] PerPartition(Func<LogStats, long> read)
    {
        var values = new Measurement<long>[_partitionTags.Length];
        for (int p = 0; p < values.Length; p++)
        {
            values[p] = new Measurement<long>(read(_engine.Log[p].Stats), _partitionTags[p]);
        }

        return values;
    }

    private Measurement<long>[] PerState(Func<PartitionState, long> read)
    {
        var values = new Measurement<long>[_partitionTags.Length];
        for (int p = 0; p < values.Length; p++)
        {
            values[p] = new Measurement<long>(read(_engine.States[p]), _partitionTags[p]);
        }

        return values;
    }

    private Measurement<long>[] WritablePartitions()
    {
        var values = new Measurement<long>[_partitionTags.Length];
        for (int p = 0; p < values.Length; p++)
        {
            values[p] = new Measurement<long>(_engine.Log[p].IsHealthy ? 1 : 0, _partitionTags[p]);
        }

        return values;
    }

    private Measurement<long>[] StoreDivergences()
    {
        var values = new Measurement<long>[_partitionTags.Length];
        for (int p = 0; p < values.Length; p++)
        {
            values[p] = new Measurement<long>(_engine.Divergences.Any(d => d.Partition == p) ? 1 : 0, _partitionTags[p]);
        }

        return values;
    }

    private Measurement<long>[] ProcessingLagEvents()
    {
        var values = new Measurement<long>[_partitionTags.Length];
        for (int p = 0; p < values.Length; p++)
        {
            values[p] = new Measurement<long>(_engine.Processors[p].Lag, _partitionTags[p]);
        }

        return values;
    }

    private Measurement<double>[] ProcessingLagSeconds()
    {
        long now = NowMs();
        var values = new Measurement<double>[_partitionTags.Length];
        for (int p = 0; p < values.Length; p++)
        {
            values[p] = new Measurement<double>(_engine.Processors[p].LagMs(now) / 1000.0, _partitionTags[p]);
        }

        return values;
    }

    private Measurement<long>[] PerProcessor(Func<PartitionProcessor, long> read)
    {
        var values = new Measurement<long>[_partitionTags.Length];
        for (int p = 0; p < values.Length; p++)
        {
            values[p] = new Measurement<long>(read(_engine.Processors[p]), _partitionTags[p]);
        }

        return values;
    }

    private double WatermarkDelaySeconds()
    {
        long watermark = _engine.GlobalWatermarkMs();
        return watermark == long.MinValue ? 0 : Math.Max(0, NowMs() - watermark) / 1000.0;
    }

    private long Disk(Func<DriveInfo, long> read) => read(new DriveInfo(Path.GetFullPath(_engine.Options.DataDirectory)));
}
