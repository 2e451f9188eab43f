using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Pulse.Events;
using Pulse.Ingest;
using Pulse.Processing;
using Pulse.Processing.State;
using Pulse.Store;

namespace Pulse.Benchmarks.Processing;

/// <summary>
/// One partition processor's aggregation on one core: pre-parsed events (as read from the log)
/// applied to a fresh partition state with every built-in metric — 1 s / 1 min / 1 h / 1 d buckets,
/// all cuboids, counts, revenue and distinct-user sketches. 20 s of event time per iteration.
/// </summary>
[MemoryDiagnoser]
public class AggregationBenchmarks
{
    private const int Batches = 200;
    private string _directory = "";
    private SqliteStore? _store;
    private EventBatch[] _batches = [];
    private PartitionState? _state;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "pulse-bench-agg-" + Guid.NewGuid().ToString("N"));
        _store = SqliteStore.Open(_directory, NullLogger.Instance);
        _batches = Workload.EncodedBatches(Batches);
    }

    [IterationSetup]
    public void FreshState() => _state = new PartitionState(0, new DimensionDictionary(), _store!, TimeSpan.FromSeconds(5));

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
    public long AllBuiltInMetrics()
    {
        PartitionState state = _state!;
        foreach (EventBatch batch in _batches)
        {
            lock (state.Gate)
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    state.Apply(new EncodedEvent(batch.GetPayload(i)));
                }
            }
        }

        return state.EventsProcessed;
    }
}
