using System.Numerics;
using System.Runtime.CompilerServices;

namespace Pulse.Processing.State;

/// <summary>
/// A mergeable distinct-count sketch: HyperLogLog with 2^14 byte registers (standard error ~0.81%),
/// preceded by an HLL++-style sparse mode that keeps one 32-bit (index, rank) entry per occupied
/// register of a 2^25-register sketch, which is near-exact for small sets and converts losslessly to
/// dense once it would use more memory than the dense registers. Not thread-safe: one owner at a time.
/// </summary>
public sealed partial class HyperLogLog
{
    internal const int Precision = 14;
    internal const int RegisterCount = 1 << Precision;
    internal const int SparsePrecision = 25;

    /// <summary>Rank of a hash whose bits after the register index are all zero (q + 1 in Ertl's notation).</summary>
    internal const int MaxDenseRank = 64 - Precision + 1;

    internal const int MaxSparseRank = 64 - SparsePrecision + 1;

    /// <summary>The most entries the largest sparse set (16 KB, the dense size) holds within its 3/4 load limit.</summary>
    internal const int SparseMaxEntries = RegisterCount / sizeof(uint) * 3 / 4;

    private long _cachedEstimate = -1;

    /// <summary>Dense registers; null while sparse.</summary>
    private byte[]? _registers;

    public bool IsSparse => _registers is null;

    /// <summary>
    /// Adds a hashed item. Returns whether the sketch changed: once a sketch has seen most of a
    /// population, most adds change nothing, and an unchanged sketch need not be written again.
    /// </summary>
    public bool Add(ulong hash)
    {
        ulong mixed = Mix(hash);
        if (_registers is { } registers)
        {
            int index = (int)(mixed >> (64 - Precision));
            byte rank = DenseRank(mixed);
            if (rank > registers[index])
            {
                registers[index] = rank;
                _cachedEstimate = -1;
                return true;
            }

            return false;
        }

        return AddSparseEntry(EncodeSparse(mixed));
    }

    public long Estimate()
    {
        if (_cachedEstimate >= 0)
        {
            return _cachedEstimate;
        }

        double estimate = _registers is { } registers
            ? CardinalityEstimator.EstimateDense(registers)
            : CardinalityEstimator.EstimateSparse(_sparseCount);
        _cachedEstimate = (long)Math.Round(estimate);
        return _cachedEstimate;
    }

    public HyperLogLog Clone()
    {
        var clone = new HyperLogLog { _cachedEstimate = _cachedEstimate };
        if (_registers is { } registers)
        {
            clone._registers = (byte[])registers.Clone();
        }
        else if (_sparseCount > 0)
        {
            clone._sparse = (uint[])_sparse.Clone();
            clone._sparseCount = _sparseCount;
        }

        return clone;
    }

    public void Clear()
    {
        _registers = null;
        _sparse = [];
        _sparseCount = 0;
        _cachedEstimate = 0;
    }

    /// <summary>
    /// The input is xxHash64, whose high 32 bits also pick the partition, so within one partition
    /// the top bits are confined to a narrow range; a bijective finalizer (MurmurHash3 fmix64)
    /// spreads every partition's users over all registers while keeping distinct hashes distinct.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Mix(ulong hash)
    {
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        hash ^= hash >> 33;
        return hash;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte DenseRank(ulong mixed)
    {
        ulong rest = mixed << Precision;
        return rest == 0 ? (byte)MaxDenseRank : (byte)(BitOperations.LeadingZeroCount(rest) + 1);
    }
}
