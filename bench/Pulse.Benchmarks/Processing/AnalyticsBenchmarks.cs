using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Pulse.Analytics;
using Pulse.Events;
using Pulse.Ingest;
using Pulse.Processing;
using Pulse.Processing.State;
using Pulse.Store;

namespace Pulse.Benchmarks.Processing;

/// <summary>
/// The per-user analytics of one partition on one core — release queue by the watermark, sessions,
/// the checkout funnel, cart_abandonment and purchase_burst — after the event aggregates, on the
/// same 200,000 pre-parsed events as <see cref="AggregationBenchmarks"/>; the difference between the
/// two is what the analytics cost per event.
/// </summary>
[MemoryDiagnoser]
public class AnalyticsBenchmarks
{
    private const int Batches = 200;
    private string _directory = "";
    private SqliteStore? _store;
    private EventBatch[] _batches = [];
    private PartitionState? _state;

    /// <summary>Sessions only, or with the built-in funnel and patterns (and their predicates).</summary>
    [Params(false, true)]
    public bool FunnelsAndPatterns { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "pulse-bench-analytics-" + Guid.NewGuid().ToString("N"));
        _store = SqliteStore.Open(_directory, NullLogger.Instance);
        _batches = Workload.EncodedBatches(Batches);
    }

    [IterationSetup]
    public void FreshState()
    {
        var dictionary = new DimensionDictionary();
        _state = new PartitionState(0, dictionary, _store!, TimeSpan.FromSeconds(5))
        {
            Analytics = new PartitionAnalytics(0, new AnalyticsOptions(), FunnelsAndPatterns ? AnalyticsCatalog.BuiltIn() : AnalyticsCatalog.SessionsOnly, _store!, TimeSpan.FromSeconds(5), dictionary.GetString),
        };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (EventBatch batch in _batches)
        {
            batch.Dispose();
        }

        _store?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>200,000 events; the reported time is per event.</summary>
    [Benchmark(OperationsPerInvoke = Batches * 1000)]
    public long AggregatesAndAnalytics()
    {
        PartitionState state = _state!;
        PartitionAnalytics analytics = state.Analytics!;
        long offset = 0;
        foreach (EventBatch batch in _batches)
        {
            lock (state.Gate)
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    var e = new EncodedEvent(batch.GetPayload(i));
                    state.Apply(e, offset);
                    (int type, int page, int product, int country, int device) = state.LastDimensions;
                    analytics.Apply(e, offset++, type, page, product, country, device);
                }
            }
        }

        return analytics.SessionsStarted;
    }
}
