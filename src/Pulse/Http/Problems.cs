namespace Pulse.Http;

/// <summary>RFC 9457 problem+json responses with a detail a person can act on.</summary>
public static class Problems
{
    public static IResult Create(int status, string title, string detail, object? errors = null, TimeSpan? retryAfter = null)
    {
        Dictionary<string, object?>? extensions = errors is null ? null : new() { ["errors"] = errors };
        IResult problem = Results.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);
        return retryAfter is { } wait ? new WithRetryAfter(problem, wait) : problem;
    }

    private sealed class WithRetryAfter(IResult inner, TimeSpan wait) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
