namespace Pulse.Client.Internal;

/// <summary>
/// How long to wait before a retry: the server's <c>Retry-After</c> when it gave one, else
/// exponential backoff with full jitter (a random wait up to initial × 2^(attempt−1)), so many
/// clients that failed together do not retry together. Both are capped by the maximum.
/// </summary>
internal sealed class Backoff(TimeSpan initial, TimeSpan maximum, Random random)
{
    public TimeSpan Delay(int failedAttempts, TimeSpan? retryAfter)
    {
        if (retryAfter is TimeSpan serverSays)
        {
            return serverSays < TimeSpan.Zero ? TimeSpan.Zero : serverSays > maximum ? maximum : serverSays;
        }

        double bound = initial.TotalMilliseconds * Math.Pow(2, Math.Min(failedAttempts - 1, 30));
        bound = Math.Min(bound, maximum.TotalMilliseconds);
        double jittered;
        lock (random)
        {
            jittered = random.NextDouble() * bound;
        }

        return TimeSpan.FromMilliseconds(jittered);
    }
}
