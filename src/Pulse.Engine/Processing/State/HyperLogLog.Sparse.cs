using System.Numerics;
using System.Runtime.CompilerServices;

namespace Pulse.Processing.State;

/// <summary>
/// Sparse mode. Each entry is <c>(index25 &lt;&lt; 6) | rank25</c>, so sorting entries sorts by
/// register index. New entries go to an unsorted tail that is sorted and merged into the sorted,
/// one-entry-per-index prefix in batches, which keeps Add amortised cheap.
/// </summary>
public sealed partial class HyperLogLog
{
    private const int RankBits = 6;
    private const uint RankMask = (1u << RankBits) - 1;
    private const int TailLimit = 256;
    private const int MaxSparseCapacity = SparseMaxEntries + TailLimit;
    private const int SubIndexBits = SparsePrecision - Precision;

    private uint[] _sparse = [];
    private int _sortedCount;
    private int _sparseCount;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint EncodeSparse(ulong mixed)
    {
        uint index = (uint)(mixed >> (64 - SparsePrecision));
        ulong rest = mixed << SparsePrecision;
        uint rank = rest == 0 ? MaxSparseRank : (uint)BitOperations.LeadingZeroCount(rest) + 1;
        return (index << RankBits) | rank;
    }

    /// <summary>
    /// Recovers the p = 14 register and rank a dense sketch would have recorded for the same hash:
    /// the 11 index bits below the dense index are the first bits the dense rank counts.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void DecodeToDense(uint entry, out int index, out byte rank)
    {
        uint sparseIndex = entry >> RankBits;
        index = (int)(sparseIndex >> SubIndexBits);
        uint subIndex = sparseIndex & ((1u << SubIndexBits) - 1);
        rank = subIndex != 0
            ? (byte)(BitOperations.LeadingZeroCount(subIndex) - (32 - SubIndexBits) + 1)
            : (byte)(SubIndexBits + (entry & RankMask));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ApplyToRegisters(byte[] registers, uint entry)
    {
        DecodeToDense(entry, out int index, out byte rank);
        if (rank > registers[index])
        {
            registers[index] = rank;
        }
    }

    private void AddSparseEntry(uint entry)
    {
        if (IsKnownInSortedPrefix(entry))
        {
            return;
        }

        if (_sparseCount == _sparse.Length || _sparseCount - _sortedCount == TailLimit)
        {
            FlushSparseTail();
            if (_registers is { } registers)
            {
                ApplyToRegisters(registers, entry);
                _cachedEstimate = -1;
                return;
            }

            if (_sparseCount == _sparse.Length)
            {
                Array.Resize(ref _sparse, Math.Min(Math.Max(_sparse.Length * 2, 4), MaxSparseCapacity));
            }
        }

        _sparse[_sparseCount++] = entry;
        _cachedEstimate = -1;
    }

    /// <summary>True when the sorted prefix already holds this index with at least this rank (the common repeat-user case).</summary>
    private bool IsKnownInSortedPrefix(uint entry)
    {
        uint key = entry & ~RankMask;
        int low = 0, high = _sortedCount;
        uint[] sparse = _sparse;
        while (low < high)
        {
            int mid = (int)((uint)(low + high) >> 1);
            if (sparse[mid] < key)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low < _sortedCount && (sparse[low] >> RankBits) == (entry >> RankBits) && sparse[low] >= entry;
    }

    /// <summary>Sorts the tail and merges it into the prefix in place (from the back, keeping the highest rank per index).</summary>
    private void FlushSparseTail()
    {
        int tail = _sparseCount - _sortedCount;
        if (_registers is not null || tail == 0)
        {
            return;
        }

        Span<uint> all = _sparse.AsSpan(0, _sparseCount);
        Span<uint> tailCopy = stackalloc uint[TailLimit];
        tailCopy = tailCopy[..tail];
        Span<uint> tailSlice = all[_sortedCount..];
        tailSlice.Sort();
        tailSlice.CopyTo(tailCopy);

        int i = _sortedCount - 1, j = tail - 1, write = _sparseCount;
        uint lastIndex = uint.MaxValue;
        while (i >= 0 || j >= 0)
        {
            uint value = j < 0 || (i >= 0 && all[i] > tailCopy[j]) ? all[i--] : tailCopy[j--];
            uint index = value >> RankBits;
            if (index == lastIndex)
            {
                continue;
            }

            all[--write] = value;
            lastIndex = index;
        }

        int count = _sparseCount - write;
        if (write > 0)
        {
            all.Slice(write, count).CopyTo(all);
        }

        _sortedCount = _sparseCount = count;
        if (count > SparseMaxEntries)
        {
            ConvertToDense();
        }
    }

    internal void ConvertToDense()
    {
        if (_registers is not null)
        {
            return;
        }

        byte[] registers = new byte[RegisterCount];
        uint[] sparse = _sparse;
        for (int k = 0; k < _sparseCount; k++)
        {
            ApplyToRegisters(registers, sparse[k]);
        }

        _registers = registers;
        _sparse = [];
        _sparseCount = _sortedCount = 0;
        _cachedEstimate = -1;
    }
}
