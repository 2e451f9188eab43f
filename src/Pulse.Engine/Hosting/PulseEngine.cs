using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Pulse.Analytics;
using Pulse.Analytics.Anomalies;
using Pulse.Analytics.Definitions;
using Pulse.Events;
using Pulse.Ingest;
using Pulse.Log;
using Pulse.Processing;
using Pulse.Processing.Aggregation;
using Pulse.Processing.State;
using Pulse.Query;
using Pulse.Store;

namespace Pulse.Hosting;

/// <summary>
/// The whole single-node engine wired together: source (ingest pipeline) → durable log →
/// partition processors → state → checkpoints into the store; queries and the realtime snapshot
/// read state and store. <see cref="StartAsync"/> recovers from whatever the last stop left.
/// </summary>
public sealed partial class PulseEngine : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly PartitionProcessor[] _processors;
    private readonly LatencyRecorder _freshness = new();
    private int _disposed;
    private DataDirectoryLock? _dataLock;

    private PulseEngine(PulseOptions options, TimeProvider clock, ILoggerFactory loggers, IRollupStore store,
        DimensionDictionary dictionary, int persistedDimensions, PartitionedLog log, PartitionState[] states, DedupeWindow[] dedupe)
    {
        Options = options;
        IngestLimits = IngestLimits.FromOptions(options.Ingest);
        _clock = clock;
        _logger = loggers.CreateLogger("Pulse.Engine");
        Store = store;
        Dictionary = dictionary;
        Log = log;
        States = states;
        Ingest = new IngestPipeline(log, dedupe, options.Log, clock);
        var residency = new ReaderWriterLockSlim();
        Checkpointer = new Checkpointer(states, log, store, dictionary, residency, options, clock, loggers.CreateLogger("Pulse.Checkpoint"), persistedDimensions);
        Scrubber = new LogScrubber(log, options.Log);
        _processors = new PartitionProcessor[states.Length];
        for (int p = 0; p < states.Length; p++)
        {
            _processors[p] = new PartitionProcessor(log[p], states[p], options.Processing, clock, _freshness, loggers.CreateLogger("Pulse.Processing"));
        }

        Queries = new QueryEngine(states, store, dictionary, residency, GlobalWatermarkMs);
        Funnels = new FunnelQueries(states, store);
        _liveAnomalies = System.Threading.Channels.Channel.CreateBounded<StoredAnomaly>(
            new System.Threading.Channels.BoundedChannelOptions(1024) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropOldest, SingleReader = true });
        if (options.Analytics.Enabled)
        {
            Anomalies = new AnomalyMonitor(Queries, GlobalWatermarkMs, store, options.Anomalies, loggers.CreateLogger("Pulse.Anomalies"));
            Anomalies.Restore();
            Anomalies.Found = anomaly => _liveAnomalies.Writer.TryWrite(anomaly);
        }
        _liveMatches = System.Threading.Channels.Channel.CreateBounded<PatternMatchRecord>(
            new System.Threading.Channels.BoundedChannelOptions(4096) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropOldest, SingleReader = true });
        foreach (PartitionState state in states)
        {
            if (state.Analytics is { } analytics)
            {
                // Matches re-derived while replaying what the log already held at start may have been
                // pushed before the restart: only matches of newer records go out live.
                analytics.LiveFromOffset = log[state.Partition].DurableEnd.Offset;
                analytics.MatchFound = match => _liveMatches.Writer.TryWrite(match);
            }
        }
        Matches = new MatchQueries(states, store);
        UserMetrics = new UserMetricQueries(states, store, dictionary, GlobalWatermarkMs);
        Realtime = new RealtimeService(Queries, clock, PipelineStatus);
    }

    public PulseOptions Options { get; }
    public IngestLimits IngestLimits { get; }
    public IRollupStore Store { get; }
    public DimensionDictionary Dictionary { get; }
    public PartitionedLog Log { get; }
    public IReadOnlyList<PartitionState> States { get; }
    public IngestPipeline Ingest { get; }
    public Checkpointer Checkpointer { get; }

    /// <summary>Reads the retained log back in the background to find damage nothing else would read.</summary>
    public LogScrubber Scrubber { get; }
    public QueryEngine Queries { get; }
    public FunnelQueries Funnels { get; }

    /// <summary>Anomaly detection on the watched series (null when analytics are off).</summary>
    public AnomalyMonitor? Anomalies { get; }

    /// <summary>Anomalies as they are found, for the live feed (bounded like <see cref="LiveMatches"/>).</summary>
    public System.Threading.Channels.ChannelReader<StoredAnomaly> LiveAnomalies => _liveAnomalies.Reader;

    private readonly System.Threading.Channels.Channel<StoredAnomaly> _liveAnomalies;

    /// <summary>Pattern matches as they are found (bounded: the oldest are dropped when nobody reads), for the live feed.</summary>
    public System.Threading.Channels.ChannelReader<PatternMatchRecord> LiveMatches => _liveMatches.Reader;

    private readonly System.Threading.Channels.Channel<PatternMatchRecord> _liveMatches;

    /// <summary>The funnels and patterns every partition runs.</summary>
    /// <summary>The running funnel and pattern definitions, and changes to them (<c>/v1/definitions</c>).</summary>
    public DefinitionRegistry Definitions { get; private init; } = null!;
    public MatchQueries Matches { get; }
    public UserMetricQueries UserMetrics { get; }
    public RealtimeService Realtime { get; }
    public TimeSpan RecoveryTime { get; private set; }
    public long StartedAtMs { get; private set; }

    public static PulseEngine Start(PulseOptions options, TimeProvider clock, ILoggerFactory loggers)
    {
        long started = Stopwatch.GetTimestamp();
        ILogger logger = loggers.CreateLogger("Pulse.Engine");
        string data = Path.GetFullPath(options.DataDirectory);
        DataDirectoryLock dataLock = DataDirectoryLock.Acquire(data);
        IRollupStore store = RollupStores.Open(options, loggers.CreateLogger("Pulse.Store"));
        var dictionary = new DimensionDictionary();
        store.LoadDictionary(dictionary);
        int persistedDimensions = dictionary.Count;
        // 0 partitions: whatever the existing log has, or two per core for a new one.
        PartitionedLog log = PartitionedLog.Open(data, options.Log.Partitions, options.Log, clock, loggers);
        int partitions = log.Count;

        var states = new PartitionState[partitions];
        AnalyticsCatalog catalog = options.Analytics.Enabled ? DefinitionRegistry.Load(store, logger) : AnalyticsCatalog.SessionsOnly;
        var dedupe = new DedupeWindow[partitions];
        TimeSpan[] resident = options.Processing.ResidentSpans();
        long replay = 0;
        Span<long> loadedFrom = stackalloc long[Resolutions.Count];
        var divergences = new List<StoreDivergence>();
        for (int p = 0; p < partitions; p++)
        {
            states[p] = new PartitionState(p, dictionary, store, options.Processing.AllowedLateness);
            StoredCheckpoint? checkpoint = VerifyCheckpoint(store, log[p], store.LoadCheckpoint(p), options, logger, divergences);
            LogPosition start = log[p].StartPosition;
            bool restored = false;
            if (checkpoint is { } c && c.Position.Offset >= start.Offset && c.Position.Offset <= log[p].NextOffset)
            {
                restored = true;
                PartitionState.ResidentFrom(c.MaxEventTimeMs, resident, loadedFrom);

                states[p].Restore(c.Position, c.MaxEventTimeMs, c.EventsProcessed, loadedFrom, c.SecondsOffset);
                int rows = store.LoadResident(states[p], loadedFrom);
                LogRestored(logger, p, c.Position.Offset, rows);
            }
            else
            {
                if (checkpoint is { } bad)
                {
                    LogCheckpointOutsideLog(logger, p, bad.Position.Offset, start.Offset, log[p].NextOffset);
                }

                states[p].Position = start;
            }

            if (options.Analytics.Enabled)
            {
                states[p].Analytics = CreateAnalytics(p, options, catalog, store, dictionary, restored, logger);
                PendingEventRecovery.Recover(log[p], states[p]);
                if (states[p].Analytics!.UnrecoveredPending > 0)
                {
                    LogPendingUnrecovered(logger, p, states[p].Analytics!.UnrecoveredPending);
                }

                states[p].Metrics = new Pulse.Analytics.Metrics.PartitionMetrics(
                    p, catalog.Metrics, dictionary, store, options.Processing.AllowedLateness, options.Analytics.ResidentAggregates);
            }

            replay += log[p].DurableEnd.Offset - states[p].Position.Offset;
            dedupe[p] = new DedupeWindow(options.Dedupe.Horizon, Math.Max(1024, options.Dedupe.MaxEntries / partitions));
            RebuildDedupe(log[p], dedupe[p], options.Dedupe.Horizon, clock);
        }

        var engine = new PulseEngine(options, clock, loggers, store, dictionary, persistedDimensions, log, states, dedupe) { Definitions = new DefinitionRegistry(states, store, catalog, clock), _dataLock = dataLock, Divergences = divergences };
        engine.RecoveryTime = Stopwatch.GetElapsedTime(started);
        engine.StartedAtMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        LogStarted(logger, data, partitions, replay, (long)engine.RecoveryTime.TotalMilliseconds);
        engine.StartLoops();
        return engine;
    }

    private static PartitionAnalytics CreateAnalytics(
        int partition, PulseOptions options, AnalyticsCatalog catalog, IRollupStore store, DimensionDictionary dictionary, bool restored, ILogger logger)
    {
        var analytics = new PartitionAnalytics(partition, options.Analytics, catalog, store, options.Processing.AllowedLateness, dictionary.GetString);
        byte[]? saved = restored ? store.LoadAnalyticsState(partition) : null;
        if (saved is not null)
        {
            try
            {
                analytics.RestoreState(saved);
                return analytics;
            }
            catch (InvalidDataException ex)
            {
                LogAnalyticsStateRefused(logger, partition, ex.Message);
                analytics = new PartitionAnalytics(partition, options.Analytics, catalog, store, options.Processing.AllowedLateness, dictionary.GetString);
            }
        }

        if (restored)
        {
            // The store has aggregates from before, with no saved state to say up to where.
            analytics.AssumeStoredAggregates();
        }

        return analytics;
    }

    /// <summary>
    /// Retries after a crash must still be recognised, so the ids of the last horizon are read back
    /// from the log, which holds every acknowledged event.
    /// </summary>
    private static void RebuildDedupe(PartitionLog log, DedupeWindow window, TimeSpan horizon, TimeProvider clock)
    {
        long since = clock.GetUtcNow().ToUnixTimeMilliseconds() - (long)horizon.TotalMilliseconds;
        using LogReader reader = log.OpenReader(log.FindPositionByTimestamp(since));
        var batch = new LogRecordBatch();
        int n;
        while ((n = reader.Read(batch, 8192)) > 0)
        {
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<byte> payload = batch.GetPayload(i);
                if (payload.Length < EventHeader.Size)
                {
                    continue;
                }

                EventHeader header = MemoryMarshal.Read<EventHeader>(payload);
                if ((header.Flags & EventFlags.GeneratedEventId) == 0 && header.ArrivalTimeMs >= since)
                {
                    window.TryAdd(header.EventIdHash, header.ArrivalTimeMs);
                }
            }
        }
    }

    private void StartLoops()
    {
        CancellationToken token = _stopping.Token;
        foreach (PartitionProcessor processor in _processors)
        {
            StartThread($"pulse-processor-{processor.State.Partition}", () =>
            {
                if (Options.Processing.ProcessorNice > 0)
                {
                    ThreadPriorities.LowerCurrent(Options.Processing.ProcessorNice);
                }

                processor.Run(token);
            });
        }

        StartThread("pulse-checkpoint", () => Checkpointer.Run(token));
        StartThread("pulse-log-scrub", () => Scrubber.Run(token));
        StartThread("pulse-realtime", () => Realtime.Run(token));
        if (Anomalies is { } anomalies)
        {
            StartThread("pulse-anomalies", () => anomalies.Run(_clock, token));
        }
    }

    /// <summary>Long-lived loops get their own threads, so the thread pool stays free for requests.</summary>
    private void StartThread(string name, Action loop)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                loop();
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                LogLoopFailed(_logger, name, ex);
                done.TrySetException(ex);
            }
        })
        {
            Name = name,
            IsBackground = true,
        };
        thread.Start();
        _loops.Add(done.Task);
    }

    /// <summary>Global watermark: the minimum over partitions that saw data recently (idle ones do not hold it back).</summary>
    public long GlobalWatermarkMs()
    {
        long now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        long idle = (long)Options.Processing.IdleTimeout.TotalMilliseconds;
        long min = long.MaxValue, max = long.MinValue;
        foreach (PartitionState state in States)
        {
            long w = state.WatermarkMs;
            if (w == long.MinValue)
            {
                continue;
            }

            max = Math.Max(max, w);
            if (now - state.LastActivityMs <= idle)
            {
                min = Math.Min(min, w);
            }
        }

        return min != long.MaxValue ? min : max;
    }

    public long Lag()
    {
        long lag = 0;
        foreach (PartitionProcessor processor in _processors)
        {
            lag += processor.Lag;
        }

        return lag;
    }

    public LatencyRecorder Freshness => _freshness;

    /// <summary>The partition processors, by partition (for metrics and health).</summary>
    public IReadOnlyList<PartitionProcessor> Processors => _processors;

    /// <summary>The clock the engine runs on; health and metrics measure ages against it.</summary>
    public TimeProvider Clock => _clock;

    /// <summary>The largest processing lag in time over the partitions (see <see cref="PartitionProcessor.LagMs"/>).</summary>
    public long LagMs()
    {
        long now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        long max = 0;
        foreach (PartitionProcessor processor in _processors)
        {
            max = Math.Max(max, processor.LagMs(now));
        }

        return max;
    }

    private PipelineStatus PipelineStatus()
    {
        long now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        long watermark = GlobalWatermarkMs();
        return new PipelineStatus
        {
            IngestPerSecond = Ingest.Accepted.LastSecond(),
            LagEvents = Lag(),
            WatermarkDelayMs = watermark == long.MinValue ? 0 : Math.Max(0, now - watermark),
            FreshnessP99Ms = Math.Round(_freshness.Percentile(0.99), 3),
            CheckpointAgeMs = Math.Max(0, now - Checkpointer.LastCheckpointMs),
            CheckpointDurationMs = Math.Round(Checkpointer.LastDurationMs, 3),
            CheckpointRows = Checkpointer.LastRows,
            CheckpointLockMs = Math.Round(Checkpointer.LastLockMs, 3),
        };
    }

    /// <summary>Clean stop: processors drain what is durable, a final checkpoint is taken, files close.</summary>
    public ValueTask DisposeAsync() => StopAsync(CancellationToken.None);

    /// <summary>
    /// Clean stop whose drain ends when <paramref name="drainDeadline"/> fires (the host's shutdown
    /// timeout): whatever processing has not caught up with is replayed from the log at the next
    /// start, so cutting the drain short loses nothing acknowledged. The final checkpoint still runs.
    /// </summary>
    public async ValueTask StopAsync(CancellationToken drainDeadline)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Drain: let processors catch up with everything already acknowledged (bounded wait).
        var drain = Stopwatch.StartNew();
        while (Lag() > 0 && drain.Elapsed < TimeSpan.FromSeconds(10) && !drainDeadline.IsCancellationRequested)
        {
            await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        Checkpointer.RunOnce();
        await Log.DisposeAsync().ConfigureAwait(false);
        Store.Dispose();
        _dataLock?.Dispose();
        _stopping.Dispose();
        LogStopped(_logger);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: restored checkpoint at offset {Offset} ({Rows} resident rows)")]
    private static partial void LogRestored(ILogger logger, int partition, long offset, int rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: the saved analytics state was not restored ({Reason}); sessions, funnels and patterns start afresh from the checkpoint")]
    private static partial void LogAnalyticsStateRefused(ILogger logger, int partition, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: {Count} events the analytics were holding for the watermark are no longer in the log (removed by retention) and are not in sessions, funnels or patterns")]
    private static partial void LogPendingUnrecovered(ILogger logger, int partition, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: checkpoint offset {Offset} is outside the log [{Start}, {End}]; processing the whole retained log")]
    private static partial void LogCheckpointOutsideLog(ILogger logger, int partition, long offset, long start, long end);

    [LoggerMessage(Level = LogLevel.Information, Message = "Engine started: data {Data}, {Partitions} partitions, {Replay} events to replay, recovered in {Ms} ms")]
    private static partial void LogStarted(ILogger logger, string data, int partitions, long replay, long ms);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Engine loop {Loop} stopped with an error")]
    private static partial void LogLoopFailed(ILogger logger, string loop, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Engine stopped cleanly after a final checkpoint")]
    private static partial void LogStopped(ILogger logger);
}
