using Microsoft.Extensions.Primitives;

namespace Pulse.Security;

/// <summary>
/// Headers on every response: the dashboard loads only its own scripts and styles, talks only to
/// its own origin (HTTP and WebSocket), and may not be framed; nothing is sniffed or referred.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'";

    private static readonly StringValues Csp = ContentSecurityPolicy;
    private static readonly StringValues NoSniff = "nosniff";
    private static readonly StringValues Deny = "DENY";
    private static readonly StringValues NoReferrer = "no-referrer";
    private static readonly StringValues OneSecond = "1";
    private static readonly Func<object, Task> EnsureRetryAfter = state =>
    {
        HttpResponse response = (HttpResponse)state;
        if (response.StatusCode is StatusCodes.Status503ServiceUnavailable or StatusCodes.Status429TooManyRequests
            && !response.Headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.RetryAfter))
        {
            response.Headers.RetryAfter = OneSecond;
        }

        return Task.CompletedTask;
    };

    /// <summary>
    /// Sets the headers before the rest of the pipeline runs (static values, nothing allocated), and
    /// makes sure every 503 and 429 — whichever component produced it — says when to retry.
    /// </summary>
    public static Task Apply(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        IHeaderDictionary headers = context.Response.Headers;
        headers.ContentSecurityPolicy = Csp;
        headers.XContentTypeOptions = NoSniff;
        headers.XFrameOptions = Deny;
        headers["Referrer-Policy"] = NoReferrer;
        context.Response.OnStarting(EnsureRetryAfter, context.Response);
        return next(context);
    }
}
