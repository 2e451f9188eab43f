using System.Security.Cryptography;

namespace Pulse.Ingest;

/// <summary>
/// Dedupe identities for events sent without an <c>event_id</c>: they must never collide with each
/// other, and nothing retries them, so a per-thread xorshift64* seeded once from the OS CSPRNG is
/// enough — one multiply per event instead of a crypto call.
/// </summary>
internal static class GeneratedEventIds
{
    [ThreadStatic]
    private static ulong t_state;

    public static ulong Next()
    {
        ulong x = t_state;
        if (x == 0)
        {
            Span<byte> seed = stackalloc byte[8];
            do
            {
                RandomNumberGenerator.Fill(seed);
                x = BitConverter.ToUInt64(seed);
            }
            while (x == 0);
        }

        // xorshift64* walks all 2^64-1 non-zero states before repeating, so ids from one thread are distinct.
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        t_state = x;
        return x * 0x2545F4914F6CDD1DUL;
    }
}
