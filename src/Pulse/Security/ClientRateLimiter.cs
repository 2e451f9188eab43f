using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Pulse.Http;

namespace Pulse.Security;

/// <summary>
/// The global limiter: one token bucket per client on <c>/v1</c>. The partition key is an object
/// the request already holds — the matched <see cref="ApiKey"/> or the remote
/// <see cref="System.Net.IPAddress"/> — so finding the bucket allocates nothing.
/// </summary>
public static class ClientRateLimiter
{
    private static readonly PathString V1 = "/v1";
    private static readonly object Unlimited = new();
    private static readonly object UnknownAddress = new();

    public static void Configure(RateLimiterOptions limiter, RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(options);
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Burst,
            TokensPerPeriod = options.PermitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        Func<object, TokenBucketRateLimiterOptions> factory = _ => bucket;
        limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, object>(context =>
        {
            if (!context.Request.Path.StartsWithSegments(V1))
            {
                return RateLimitPartition.GetNoLimiter(Unlimited);
            }

            object client = context.User.Identity is ApiKeyIdentity identity
                ? identity.Key
                : (object?)context.Connection.RemoteIpAddress ?? UnknownAddress;
            return RateLimitPartition.GetTokenBucketLimiter(client, factory);
        });
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        limiter.OnRejected = (rejected, _) =>
        {
            TimeSpan wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan after) ? after : TimeSpan.FromSeconds(1);
            string client = rejected.HttpContext.User.Identity is ApiKeyIdentity id ? $"this key ({id.Key.Label})" : "this address";
            return new ValueTask(Problems.Create(429, "Too many requests",
                $"More than {options.PermitsPerSecond} requests per second (burst {options.Burst}) from {client}; send larger batches or retry after the Retry-After delay.",
                retryAfter: wait).ExecuteAsync(rejected.HttpContext));
        };
    }
}
