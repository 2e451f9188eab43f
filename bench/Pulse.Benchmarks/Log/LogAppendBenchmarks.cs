using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Pulse.Events;
using Pulse.Hosting;
using Pulse.Ingest;
using Pulse.Log;

namespace Pulse.Benchmarks.Log;

/// <summary>
/// Framing and copying a request's events into a partition's pending buffer (the part of an
/// append on the request thread). fsync is off so the disk does not set the pace; every 64 appends
/// the benchmark waits for the flusher, so the pending buffer never fills.
/// </summary>
[MemoryDiagnoser]
public class LogAppendBenchmarks
{
    private const int AppendsPerInvoke = 64;
    private string _directory = "";
    private PartitionLog? _log;
    private EventBatch _batch = new();
    private FieldSlice[] _slices = [];

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "pulse-bench-log-" + Guid.NewGuid().ToString("N"));
        _log = PartitionLog.Open(_directory, 0, new LogOptions { Fsync = false }, TimeProvider.System, NullLogger.Instance);
        _batch = Workload.EncodedBatches(1)[0];
        _slices = new FieldSlice[_batch.Count];
        for (int i = 0; i < _slices.Length; i++)
        {
            _slices[i] = _batch.GetSlice(i);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _log?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _batch.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>64 appends of 1000 encoded events each; the reported time is per event.</summary>
    [Benchmark(OperationsPerInvoke = AppendsPerInvoke * 1000)]
    public long Append1000Events()
    {
        AppendTicket last = default;
        for (int i = 0; i < AppendsPerInvoke; i++)
        {
            last = _log!.Append(_batch.Buffer, _slices);
        }

        last.Durable.GetAwaiter().GetResult();
        return last.LastOffset;
    }
}
