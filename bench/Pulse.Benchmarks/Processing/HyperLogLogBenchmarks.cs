using BenchmarkDotNet.Attributes;
using Pulse.Events;
using Pulse.Processing.State;

namespace Pulse.Benchmarks.Processing;

/// <summary>Distinct-user sketch updates: through the sparse form into the dense one, and on a dense sketch.</summary>
[MemoryDiagnoser]
public class HyperLogLogBenchmarks
{
    private const int Adds = 100_000;
    private readonly ulong[] _hashes = new ulong[Adds];
    private readonly HyperLogLog _dense = new();

    [GlobalSetup]
    public void Setup()
    {
        Span<byte> user = stackalloc byte[16];
        for (int i = 0; i < Adds; i++)
        {
            BitConverter.TryWriteBytes(user, i);
            _hashes[i] = Hash64.Compute(user[..4]);
        }

        foreach (ulong hash in _hashes)
        {
            _dense.Add(hash);
        }
    }

    /// <summary>100,000 distinct users into a new sketch (sparse, then dense); per add.</summary>
    [Benchmark(OperationsPerInvoke = Adds)]
    public long AddToNewSketch()
    {
        var sketch = new HyperLogLog();
        foreach (ulong hash in _hashes)
        {
            sketch.Add(hash);
        }

        return sketch.Estimate();
    }

    /// <summary>The same users again into a dense sketch that has seen them (the steady state of a busy bucket); per add.</summary>
    [Benchmark(OperationsPerInvoke = Adds)]
    public int AddToDenseSketch()
    {
        int changed = 0;
        foreach (ulong hash in _hashes)
        {
            changed += _dense.Add(hash) ? 1 : 0;
        }

        return changed;
    }
}
