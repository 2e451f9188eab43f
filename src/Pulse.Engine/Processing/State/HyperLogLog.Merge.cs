using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Pulse.Processing.State;

public sealed partial class HyperLogLog
{
    /// <summary>Adds every element of <paramref name="other"/> to this sketch; <paramref name="other"/> is not modified.</summary>
    public void Merge(HyperLogLog other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this))
        {
            return;
        }

        if (other._registers is { } source)
        {
            MaxInto(EnsureDense(), source);
            _cachedEstimate = -1;
            return;
        }

        MergeSparseEntries(other._sparse);
    }

    /// <summary>Adds sparse entries, skipping zeros (free hash-set slots); may convert to dense part-way.</summary>
    private void MergeSparseEntries(ReadOnlySpan<uint> entries)
    {
        foreach (uint entry in entries)
        {
            if (entry == 0)
            {
                continue;
            }

            if (_registers is { } registers)
            {
                ApplyToRegisters(registers, entry);
                _cachedEstimate = -1;
            }
            else
            {
                AddSparseEntry(entry);
            }
        }
    }

    private byte[] EnsureDense()
    {
        if (_registers is null)
        {
            ConvertToDense();
        }

        return _registers!;
    }

    /// <summary>Register-wise maximum, the HyperLogLog union.</summary>
    internal static void MaxInto(Span<byte> target, ReadOnlySpan<byte> source)
    {
        if (source.Length != target.Length)
        {
            throw new ArgumentException("Register arrays differ in length.", nameof(source));
        }

        ref byte t = ref MemoryMarshal.GetReference(target);
        ref byte s = ref MemoryMarshal.GetReference(source);
        nuint length = (nuint)target.Length;
        nuint i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector256<byte>.Count <= length; i += (nuint)Vector256<byte>.Count)
            {
                Vector256.Max(Vector256.LoadUnsafe(ref t, i), Vector256.LoadUnsafe(ref s, i)).StoreUnsafe(ref t, i);
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector128<byte>.Count <= length; i += (nuint)Vector128<byte>.Count)
            {
                Vector128.Max(Vector128.LoadUnsafe(ref t, i), Vector128.LoadUnsafe(ref s, i)).StoreUnsafe(ref t, i);
            }
        }

        for (; i < length; i++)
        {
            target[(int)i] = Math.Max(target[(int)i], source[(int)i]);
        }
    }
}
