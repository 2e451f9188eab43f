using System.ComponentModel.DataAnnotations;

namespace Pulse.Security;

/// <summary>
/// Per-client token buckets on <c>/v1</c>, bound from <c>Pulse:RateLimit</c>. A client is its key
/// when it sent a valid one, else its address. Tokens are requests, not events: a batch of 1000
/// events costs one. The defaults sit far above one client's honest use (the benchmark peaks near
/// 400 requests/s from one address with 1000-event batches) and far below what floods a node.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Pulse:RateLimit";

    public bool Enabled { get; set; } = true;

    /// <summary>Requests per second each client may make, sustained (added to its bucket once a second).</summary>
    [Range(1, 1_000_000)]
    public int PermitsPerSecond { get; set; } = 1000;

    /// <summary>Size of each client's bucket: the burst it may send at once.</summary>
    [Range(1, 10_000_000)]
    public int Burst { get; set; } = 2000;
}
