using System.Net;

namespace Pulse.Client.Internal;

/// <summary>What one request of a batch came to.</summary>
internal enum SendResult
{
    /// <summary>202, or a 400 that rejected every event: the server has decided, nothing to resend.</summary>
    Answered,

    /// <summary>A network error, a timeout, 408, 429 or 5xx: nothing was acknowledged, the same bytes may go again.</summary>
    Retryable,

    /// <summary>Another 4xx (401, 403, 413, 415, ...): sending again would get the same answer.</summary>
    Permanent,
}

internal readonly record struct SendOutcome(SendResult Result, HttpStatusCode? Status, IngestAnswer? Answer, TimeSpan? RetryAfter, string? Error);
