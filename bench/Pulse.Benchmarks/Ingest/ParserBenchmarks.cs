using BenchmarkDotNet.Attributes;
using Pulse.Ingest;

namespace Pulse.Benchmarks.Ingest;

/// <summary>JSON → encoded events on one core: what each request thread does per body.</summary>
[MemoryDiagnoser]
public class ParserBenchmarks
{
    private const int Events = 1000;
    private byte[] _body = [];
    private readonly EventBatch _output = new();

    [GlobalSetup]
    public void Setup() => _body = Workload.NdjsonBody(Events);

    [GlobalCleanup]
    public void Cleanup() => _output.Dispose();

    /// <summary>One NDJSON body of 1000 events; the reported time is per event.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public int ParseNdjson()
    {
        _output.Reset();
        EventParser.Parse(_body, BodyFormat.Ndjson, Workload.StartMs, Workload.Limits, _output);
        return _output.Count;
    }
}
