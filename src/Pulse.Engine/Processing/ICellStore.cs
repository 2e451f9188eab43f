using Pulse.Processing.Aggregation;
using Pulse.Processing.State;

namespace Pulse.Processing;

/// <summary>Reads single stored cells back when a late event touches a bucket that was evicted from memory.</summary>
public interface ICellStore
{
    bool TryLoadCount(int partition, Resolution resolution, long bucket, in CellKey key, out CountCell cell);

    HyperLogLog? TryLoadUnique(int partition, Resolution resolution, long bucket, in CellKey key);
}
