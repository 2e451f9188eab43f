using Microsoft.Extensions.Logging;
using Pulse.Analytics;
using Pulse.Analytics.Definitions;
using Pulse.Analytics.Metrics;
using Pulse.Events;
using Pulse.Hosting;
using Pulse.Log;
using Pulse.Processing.Aggregation;
using Pulse.Processing.State;
using Pulse.Store;

namespace Pulse.Processing;

/// <summary>What a replay did.</summary>
public sealed record ReplayResult(long RecordsRead, long EventsReplayed, long RowsWritten, long FromMs, long ToMs, IReadOnlyList<string> Notes);

/// <summary>
/// <c>pulse replay</c>: recomputes stored rollups over a time range from the retained log, with the
/// server stopped. For every partition it re-applies, in log order, the records its stored state
/// already holds (those before its checkpoint) and replaces, in one transaction, the stored rows of
/// every bucket that lies wholly inside the range — so nothing is counted twice, however often it
/// runs, and records after the checkpoint are left to the server's own replay at its next start.
/// </summary>
public static class RollupReplayer
{
    /// <param name="definition">One user-defined metric to recompute; null: the event rollups and every user metric.</param>
    /// <param name="progress">Called with (partition, partitions, records read so far).</param>
    /// <exception cref="InvalidOperationException">The directory is in use, the last stop was not clean, or the definition is not a metric.</exception>
    public static ReplayResult Run(PulseOptions options, long fromMs, long toMs, string? definition, ILoggerFactory loggers, Action<int, int, long>? progress = null)
    {
        string data = Path.GetFullPath(options.DataDirectory);
        if (options.Store.Kind == StoreKind.Sqlite && !File.Exists(Path.Combine(data, "store.db")))
        {
            throw new InvalidOperationException($"{data} holds no Pulse store: nothing to replay.");
        }

        using DataDirectoryLock dataLock = DataDirectoryLock.Acquire(data);
        using IRollupStore store = RollupStores.Open(options, loggers.CreateLogger("Pulse.Store"));
        var dictionary = new DimensionDictionary();
        store.LoadDictionary(dictionary);
        int persisted = dictionary.Count;
        IReadOnlyList<UserMetric> metrics = ChooseMetrics(store, definition, loggers.CreateLogger("Pulse.Replay"));
        var notes = new List<string>();
        long read = 0, replayed = 0, rows = 0;
        PartitionedLog log = PartitionedLog.Open(data, options.Log.Partitions, options.Log, TimeProvider.System, loggers);
        try
        {
            for (int p = 0; p < log.Count; p++)
            {
                if (store.LoadCheckpoint(p) is not { } checkpoint)
                {
                    notes.Add($"partition {p}: nothing stored yet; the server computes it at its next start");
                    continue;
                }

                if (checkpoint.SecondsOffset != checkpoint.Position.Offset)
                {
                    throw new InvalidOperationException(
                        $"Partition {p} was not stopped cleanly (its 1-second rollups reach past its last full checkpoint). Start the server and stop it with Ctrl-C or SIGTERM once, then replay.");
                }

                long from = Math.Max(fromMs, CompleteFrom(log[p], options));
                if (from > fromMs)
                {
                    notes.Add($"partition {p}: its log begins later than the range; recomputed from {DateTimeOffset.FromUnixTimeMilliseconds(from):u} (earlier events are no longer in the log)");
                }

                var state = new PartitionState(p, dictionary, NoStoredCells.Instance, options.Processing.AllowedLateness);
                var userMetrics = new PartitionMetrics(p, metrics, dictionary, NoStoredCells.Instance, options.Processing.AllowedLateness, TimeSpan.MaxValue);
                (long r, long applied) = Reapply(log[p], checkpoint.Position.Offset, from, toMs, state, definition is null, userMetrics, count => progress?.Invoke(p, log.Count, read + count));
                read += r;
                replayed += applied;

                var snapshot = new CheckpointSnapshot(p);
                state.TakeChanges(snapshot);
                var analytics = new AnalyticsSnapshot();
                userMetrics.TakeChanges(analytics);
                var dimensions = new List<(int, byte[])>();
                dictionary.CopyNewEntries(persisted, dimensions);
                rows += store.ReplaceRollups(p, from, toMs, definition is null ? snapshot : null, metrics, analytics, dimensions);
                persisted = dictionary.Count;
            }
        }
        finally
        {
            log.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        return new ReplayResult(read, replayed, rows, fromMs, toMs, notes);
    }

    private static IReadOnlyList<UserMetric> ChooseMetrics(IDefinitionStore store, string? definition, ILogger logger)
    {
        AnalyticsCatalog catalog = DefinitionRegistry.Load(store, logger);
        if (definition is null)
        {
            return catalog.Metrics;
        }

        return catalog.FindMetric(definition) is { } metric
            ? [metric]
            : throw new InvalidOperationException(catalog.Find(definition) is null
                ? $"There is no definition '{definition}'. Metric definitions: {string.Join(", ", catalog.Metrics.Select(m => m.Name))}."
                : $"'{definition}' is a {catalog.Find(definition)!.Kind}: only metrics (and, without --definition, the event rollups) are replayed; funnels and patterns follow users across the range and are not recomputed.");
    }

    /// <summary>
    /// The earliest event time the log is sure to hold every event of: an event can be stamped up to
    /// the ingest's future skew after it was appended, so from the first retained append plus that.
    /// </summary>
    private static long CompleteFrom(PartitionLog log, PulseOptions options)
    {
        using LogReader reader = log.OpenReader(log.StartPosition);
        using var batch = new LogRecordBatch();
        if (log.StartPosition.Offset == 0 || reader.Read(batch, 1) == 0)
        {
            return long.MinValue;
        }

        long startAppend = batch.GetTimestamp(0);
        return Resolution.Day.BucketStart(startAppend + (long)options.Ingest.MaxFutureSkew.TotalMilliseconds) + Resolution.Day.WidthMs();
    }

    private static (long Read, long Applied) Reapply(
        PartitionLog log, long before, long fromMs, long toMs, PartitionState state, bool rollups, PartitionMetrics metrics, Action<long> progress)
    {
        using LogReader reader = log.OpenReader(log.StartPosition);
        using var batch = new LogRecordBatch();
        long read = 0, applied = 0;
        int n;
        while ((n = reader.Read(batch, 8192)) > 0)
        {
            for (int i = 0; i < n; i++)
            {
                long offset = batch.GetOffset(i);
                if (offset >= before)
                {
                    return (read, applied);
                }

                read++;
                var e = new EncodedEvent(batch.GetPayload(i));
                long time = e.Header.EventTimeMs;
                if (time < fromMs || time >= toMs)
                {
                    state.Observe(e);
                    continue;
                }

                applied++;
                if (rollups)
                {
                    state.Apply(e, offset);
                }
                else
                {
                    state.Observe(e);
                }

                metrics.Apply(e, offset);
            }

            progress(read);
        }

        return (read, applied);
    }

    /// <summary>The replay starts from nothing: no stored cell is ever read back.</summary>
    private sealed class NoStoredCells : ICellStore, IUserMetricStore
    {
        public static NoStoredCells Instance { get; } = new();

        public bool TryLoadCount(int partition, Resolution resolution, long bucket, in CellKey key, out CountCell cell)
        {
            cell = default;
            return false;
        }

        public HyperLogLog? TryLoadUnique(int partition, Resolution resolution, long bucket, in CellKey key) => null;

        public UserMetricCell? TryLoadMetricCell(int partition, in UserMetricKey key, MetricAggregate aggregate) => null;

        public long StoredThrough(int partition) => long.MinValue;
    }
}
