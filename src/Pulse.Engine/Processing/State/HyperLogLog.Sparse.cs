using System.Numerics;
using System.Runtime.CompilerServices;

namespace Pulse.Processing.State;

/// <summary>
/// Sparse mode: an open-addressing set of entries <c>(index25 &lt;&lt; 6) | rank25</c>, keyed by the
/// sparse register index and keeping the highest rank, so Add is one probe sequence (usually one
/// cache line) even when a sketch is touched rarely. Zero marks a free slot; real entries have rank ≥ 1.
/// Entries are sorted only when serialized.
/// </summary>
public sealed partial class HyperLogLog
{
    private const int RankBits = 6;
    private const uint RankMask = (1u << RankBits) - 1;
    private const int SubIndexBits = SparsePrecision - Precision;

    /// <summary>At this many 4-byte slots the sparse set is as large as the 16 KB of dense registers.</summary>
    private const int MaxSparseSlots = RegisterCount / sizeof(uint);

    private const int InitialSparseSlots = 4;

    private uint[] _sparse = [];
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

    /// <summary>Adds a sparse entry; false when the sketch already held it (or a higher rank for its index).</summary>
    private bool AddSparseEntry(uint entry)
    {
        uint[] slots = _sparse;
        if (slots.Length == 0)
        {
            _sparse = slots = new uint[InitialSparseSlots];
        }

        int mask = slots.Length - 1;
        uint key = entry >> RankBits;

        // The sparse index is made of mixed hash bits, so its low bits are already uniform.
        int i = (int)key & mask;
        while (true)
        {
            uint slot = slots[i];
            if (slot == 0)
            {
                break;
            }

            if ((slot >> RankBits) == key)
            {
                if (entry > slot)
                {
                    slots[i] = entry;
                    return true;
                }

                return false;
            }

            i = (i + 1) & mask;
        }

        _cachedEstimate = -1;
        if (IsOverLoaded(_sparseCount + 1, slots.Length))
        {
            if (slots.Length == MaxSparseSlots)
            {
                ConvertToDense();
                ApplyToRegisters(_registers!, entry);
                return true;
            }

            _sparse = slots = RehashSparse(slots, slots.Length * 2);
            InsertNew(slots, entry);
        }
        else
        {
            slots[i] = entry;
        }

        _sparseCount++;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsOverLoaded(int count, int slots) => count * 4 > slots * 3;

    private static uint[] RehashSparse(uint[] slots, int size)
    {
        var grown = new uint[size];
        foreach (uint entry in slots)
        {
            if (entry != 0)
            {
                InsertNew(grown, entry);
            }
        }

        return grown;
    }

    /// <summary>Inserts an entry whose index is known to be absent.</summary>
    private static void InsertNew(uint[] slots, uint entry)
    {
        int mask = slots.Length - 1;
        int i = (int)(entry >> RankBits) & mask;
        while (slots[i] != 0)
        {
            i = (i + 1) & mask;
        }

        slots[i] = entry;
    }

    /// <summary>Smallest power-of-two slot count that holds <paramref name="count"/> entries within the load limit.</summary>
    private static int SparseSlotsFor(int count)
    {
        int size = InitialSparseSlots;
        while (IsOverLoaded(count, size))
        {
            size *= 2;
        }

        return size;
    }

    /// <summary>Writes the entries in ascending order (ascending sparse index) and returns how many.</summary>
    private int CopySortedEntries(Span<uint> destination)
    {
        int n = 0;
        foreach (uint entry in _sparse)
        {
            if (entry != 0)
            {
                destination[n++] = entry;
            }
        }

        destination[..n].Sort();
        return n;
    }

    internal void ConvertToDense()
    {
        if (_registers is not null)
        {
            return;
        }

        byte[] registers = new byte[RegisterCount];
        foreach (uint entry in _sparse)
        {
            if (entry != 0)
            {
                ApplyToRegisters(registers, entry);
            }
        }

        _registers = registers;
        _sparse = [];
        _sparseCount = 0;
        _cachedEstimate = -1;
    }
}
