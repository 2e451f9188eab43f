using System.Numerics;
using System.Runtime.CompilerServices;

namespace Pulse.Generate;

/// <summary>
/// xoshiro256** seeded through SplitMix64. Written out rather than using <see cref="Random"/> so the
/// generated stream is identical across .NET versions and machines: the seed is the contract.
/// </summary>
internal sealed class DeterministicRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public DeterministicRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    public static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A stateless hash of an index: per-user and per-product attributes that do not depend on the seed.</summary>
    public static ulong Mix(ulong value)
    {
        ulong state = value;
        return SplitMix(ref state);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, bound) by multiply-shift (Lemire); the tiny bias is irrelevant for traffic shapes.</summary>
    public int NextInt(int bound) => (int)((uint)(NextUInt64() >> 32) * (ulong)(uint)bound >> 32);

    public bool Chance(double probability) => NextDouble() < probability;
}
