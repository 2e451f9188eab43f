using Microsoft.Extensions.Logging.Abstractions;
using Pulse.Analytics;
using Pulse.Analytics.Metrics;
using Pulse.Events;
using Pulse.Ingest;
using Pulse.Log;
using Pulse.Processing;
using Pulse.Processing.Aggregation;
using Pulse.Processing.State;
using Pulse.Query;
using Pulse.Store;
using Pulse.Tests.EndToEnd;

namespace Pulse.Tests.Processing;

/// <summary>One partition's state over a real store (SQLite in a temp directory unless given one), with checkpoint, eviction, restore and query.</summary>
internal sealed class StateHarness : IDisposable
{
    private readonly TempDirectory _dir = new("pulse-state");
    private readonly ReaderWriterLockSlim _residency = new();
    private readonly List<string> _log = [];
    private long _offset;
    private readonly AnalyticsOptions? _analytics;
    private AnalyticsCatalog _catalog;
    private readonly Func<IRollupStore, IAnalyticsStore>? _analyticsStore;

    public PartitionAnalytics Analytics => State.Analytics ?? throw new InvalidOperationException("The harness runs without analytics.");

    private PartitionAnalytics? CreateAnalytics()
    {
        if (_analytics is null)
        {
            return null;
        }

        return new PartitionAnalytics(0, _analytics, _catalog, _analyticsStore?.Invoke(Store) ?? Store, Lateness, Dictionary.GetString);
    }

    private PartitionMetrics? CreateMetrics() =>
        _analytics is null ? null : new PartitionMetrics(0, _catalog.Metrics, Dictionary, Store, Lateness, _analytics.ResidentAggregates);

    public MetricResult RunUserMetric(string metric, long from, long to, string? step = null, string? groupBy = null, string? stat = null, int? limit = null, params string[] filters) =>
        new UserMetricQueries([State], Store, Dictionary, () => State.WatermarkMs).Execute(
            (State.Metrics?.Metrics ?? []).First(m => m.Name == metric), from.ToString(System.Globalization.CultureInfo.InvariantCulture),
            to.ToString(System.Globalization.CultureInfo.InvariantCulture), step, [groupBy], filters, limit?.ToString(System.Globalization.CultureInfo.InvariantCulture), stat, to);

    /// <summary>Moves the analytics' watermark as an idle partition would.</summary>
    public void AdvanceAnalytics(long watermarkMs)
    {
        lock (State.Gate)
        {
            Analytics.Advance(watermarkMs);
        }
    }

    /// <param name="cellStore">What the state reads evicted cells through (default: the store itself), e.g. to inject faults.</param>
    /// <param name="analytics">Runs the partition's sessions, funnels and patterns too (with these settings and <paramref name="funnels"/>).</param>
    /// <param name="analyticsStore">What the analytics read stored aggregates through (default: the store itself), e.g. to inject faults.</param>
    /// <param name="store">The store to run over (default: SQLite in a temp directory); the harness disposes it.</param>
    public StateHarness(TimeSpan? lateness = null, Func<IRollupStore, ICellStore>? cellStore = null, AnalyticsOptions? analytics = null, AnalyticsCatalog? catalog = null,
        Func<IRollupStore, IAnalyticsStore>? analyticsStore = null, IRollupStore? store = null)
    {
        _analyticsStore = analyticsStore;
        Lateness = lateness ?? TimeSpan.FromSeconds(5);
        Store = store ?? SqliteStore.Open(_dir.Path, NullLogger.Instance);
        Dictionary = new DimensionDictionary();
        State = new PartitionState(0, Dictionary, cellStore?.Invoke(Store) ?? Store, Lateness);
        _analytics = analytics;
        _catalog = catalog ?? AnalyticsCatalog.BuiltIn();
        State.Analytics = CreateAnalytics();
        State.Metrics = CreateMetrics();
        Queries = new QueryEngine([State], Store, Dictionary, _residency, () => State.WatermarkMs);
    }

    public TimeSpan Lateness { get; }
    public IRollupStore Store { get; private set; }
    public DimensionDictionary Dictionary { get; private set; }
    public PartitionState State { get; private set; }
    public QueryEngine Queries { get; private set; }
    public int PersistedDimension { get; private set; }

    /// <summary>Appends the events to the harness's log (offset = index) and applies them.</summary>
    public void Apply(params string[] events)
    {
        _log.AddRange(events);
        ApplyAt(_offset, events);
        _offset += events.Length;
    }

    /// <summary>After <see cref="Restart"/>: applies the logged events from the restored position on, as the processor's replay does.</summary>
    public void Replay() => ApplyAt(State.Position.Offset, [.. _log.Skip((int)State.Position.Offset)]);

    private void ApplyAt(long firstOffset, string[] events)
    {
        using EventBatch batch = TestEvents.Parse(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), events);
        lock (State.Gate)
        {
            for (int i = 0; i < batch.Count; i++)
            {
                var e = new EncodedEvent(batch.GetPayload(i));
                State.Apply(e, firstOffset + i);
                State.Metrics?.Apply(e, firstOffset + i);
                if (State.Analytics is { } analytics)
                {
                    (int type, int page, int product, int country, int device) = State.LastDimensions;
                    analytics.Apply(e, firstOffset + i, type, page, product, country, device);
                }
            }

            long next = firstOffset + batch.Count;
            State.Position = new LogPosition(next, 0, next * 100);
        }
    }

    /// <summary>Commits the state's changes: of every resolution, or with <paramref name="includeRollups"/> false of the 1-second buckets only.</summary>
    public CheckpointSnapshot Checkpoint(bool includeRollups = true)
    {
        var snapshot = new CheckpointSnapshot(0);
        lock (State.Gate)
        {
            State.TakeChanges(snapshot, includeRollups);
        }

        var dims = new List<(int, byte[])>();
        Dictionary.CopyNewEntries(PersistedDimension, dims);
        Store.WriteCheckpoint([snapshot], dims, 0);
        PersistedDimension = Dictionary.Count;
        return snapshot;
    }

    public int Evict(TimeSpan resident)
    {
        lock (State.Gate)
        {
            return State.Evict([resident, resident, resident, resident]);
        }
    }

    /// <summary>A fresh state restored from the store, as after a restart.</summary>
    /// <param name="catalog">The definitions the restarted analytics run (default: the same as before).</param>
    public void Restart(TimeSpan resident, AnalyticsCatalog? catalog = null)
    {
        _catalog = catalog ?? _catalog;
        StoredCheckpoint checkpoint = Store.LoadCheckpoint(0)!.Value;
        Dictionary = new DimensionDictionary();
        Store.LoadDictionary(Dictionary);
        State = new PartitionState(0, Dictionary, Store, Lateness);
        Span<long> loadedFrom = stackalloc long[Resolutions.Count];
        PartitionState.ResidentFrom(checkpoint.MaxEventTimeMs, [resident, resident, resident, resident], loadedFrom);

        State.Restore(checkpoint.Position, checkpoint.MaxEventTimeMs, checkpoint.EventsProcessed, loadedFrom, checkpoint.SecondsOffset);
        Store.LoadResident(State, loadedFrom);
        State.Analytics = CreateAnalytics();
        State.Metrics = CreateMetrics();
        if (State.Analytics is { } analytics && Store.LoadAnalyticsState(0) is { } saved)
        {
            analytics.RestoreState(saved);
            RederivePending(analytics);
        }

        Queries = new QueryEngine([State], Store, Dictionary, _residency, () => State.WatermarkMs);
    }

    /// <summary>Reads the waiting events back from the harness's log, as the engine does at start.</summary>
    private void RederivePending(PartitionAnalytics analytics)
    {
        if (analytics.RederiveFrom is not long from)
        {
            return;
        }

        int count = (int)(analytics.RederiveThrough - from + 1);
        using EventBatch batch = TestEvents.Parse(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), [.. _log.Skip((int)from).Take(count)]);
        lock (State.Gate)
        {
            for (int i = 0; i < batch.Count; i++)
            {
                PendingEventRecovery.Rederive(State, analytics, batch.GetPayload(i), from + i);
            }

            analytics.FinishRederive();
        }
    }

    public decimal Total(string metric, long from, long to, params (string Dim, string Value)[] filters)
    {
        MetricQuery query = MetricQuery.Parse(MetricCatalog.Find(metric)!, from.ToString(System.Globalization.CultureInfo.InvariantCulture),
            to.ToString(System.Globalization.CultureInfo.InvariantCulture), null, [], filters.Select(f => (string?)$"{f.Dim}:{f.Value}"), null, null, to);
        return Queries.Execute(query).Series[0].Total;
    }

    public MetricResult Run(string metric, long from, long to, string? step = null, string? groupBy = null, int? limit = null, string? stat = null) =>
        Queries.Execute(MetricQuery.Parse(MetricCatalog.Find(metric)!, from.ToString(System.Globalization.CultureInfo.InvariantCulture),
            to.ToString(System.Globalization.CultureInfo.InvariantCulture), step, [groupBy], [], limit?.ToString(System.Globalization.CultureInfo.InvariantCulture), stat, to));

    public void Dispose()
    {
        Store.Dispose();
        _residency.Dispose();
        _dir.Dispose();
    }
}
