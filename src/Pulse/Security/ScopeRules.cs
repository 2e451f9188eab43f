namespace Pulse.Security;

/// <summary>
/// The scope a request needs, from its method and path. Every endpoint under <c>/v1</c> needs one,
/// including endpoints added later that declare nothing: reads need <see cref="ApiScope.Read"/>,
/// definitions and any other change need <see cref="ApiScope.Admin"/>, and only the ingest
/// endpoints take a write key. Operations endpoints and the dashboard's static files are open.
/// </summary>
public static class ScopeRules
{
    private static readonly PathString V1 = "/v1";
    private static readonly PathString Definitions = "/v1/definitions";
    private static readonly PathString PrometheusMetrics = "/metrics";

    /// <summary>Ingest endpoints a browser may call from another origin (CORS) with a write key.</summary>
    private static readonly PathString[] WritePaths = ["/v1/events", "/v1/track", "/v1/page", "/v1/identify", "/v1/batch"];

    /// <summary>Segment's endpoints, whose SDKs send the write key as the basic-auth user name.</summary>
    private static readonly PathString[] SegmentPaths = ["/v1/track", "/v1/page", "/v1/identify", "/v1/batch"];

    public static ApiScope Required(HttpRequest request, bool metricsRequireKey)
    {
        ArgumentNullException.ThrowIfNull(request);
        PathString path = request.Path;
        if (!path.StartsWithSegments(V1))
        {
            return metricsRequireKey && path.Equals(PrometheusMetrics, StringComparison.OrdinalIgnoreCase) ? ApiScope.Read : ApiScope.None;
        }

        if (path.StartsWithSegments(Definitions, StringComparison.OrdinalIgnoreCase))
        {
            return ApiScope.Admin;
        }

        string method = request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            return ApiScope.Read;
        }

        return HttpMethods.IsPost(method) && IsWritePath(path) ? ApiScope.Write : ApiScope.Admin;
    }

    public static bool IsWritePath(PathString path) => IsOneOf(path, WritePaths);

    public static bool IsSegmentPath(PathString path) => IsOneOf(path, SegmentPaths);

    private static bool IsOneOf(PathString path, PathString[] paths)
    {
        foreach (PathString candidate in paths)
        {
            if (path.Equals(candidate, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public static string Describe(ApiScope scope) => scope switch
    {
        ApiScope.Write => "write",
        ApiScope.Read => "read",
        ApiScope.Admin => "admin",
        _ => "no",
    };
}
