using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace Pulse.Tracker;

/// <summary>
/// <c>GET /pulse.js</c>: the browser tracker, embedded in the server binary. Compressed once at
/// start; served gzipped to clients that take it, with an ETag so a cached copy is revalidated
/// with a 304, and an hour's caching because the URL carries no version.
/// </summary>
public static class TrackerEndpoint
{
    public const string Path = "/pulse.js";
    public const string ContentType = "text/javascript; charset=utf-8";

    private static readonly Lazy<Script> Embedded = new(Script.Load);

    public static void MapTracker(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, Serve).WithName("BrowserTracker")
            .WithTags("Tracker")
            .WithSummary("The browser tracker")
            .WithDescription("A script for web pages: page views (including SPA navigation), pulse.track(type, props), pulse.identify(userId); no cookies; batched delivery to POST /v1/events. Options and snippet: docs/ecosystem.md.")
            .Produces<string>(StatusCodes.Status200OK, "text/javascript")
            .Produces(StatusCodes.Status304NotModified);
    }

    /// <summary>The script as shipped, uncompressed.</summary>
    public static ReadOnlyMemory<byte> Source => Embedded.Value.Plain;

    private static IResult Serve(HttpContext context)
    {
        Script script = Embedded.Value;
        HttpResponse response = context.Response;
        response.Headers.CacheControl = "public, max-age=3600";
        response.Headers.ETag = script.ETag;
        response.Headers.Vary = HeaderNames.AcceptEncoding;
        // Pages on other origins load it with <script src>; sites that require CORP for embedded resources may too.
        response.Headers["Cross-Origin-Resource-Policy"] = "cross-origin";
        if (context.Request.Headers.IfNoneMatch.ToString() is { Length: > 0 } tags && tags.Contains(script.ETag, StringComparison.Ordinal))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        bool gzip = AcceptsGzip(context.Request.Headers.AcceptEncoding.ToString());
        if (gzip)
        {
            response.Headers.ContentEncoding = "gzip";
        }

        return Results.Bytes(gzip ? script.Gzipped : script.Plain, ContentType);
    }

    private static bool AcceptsGzip(string acceptEncoding)
    {
        foreach (string part in acceptEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (StringWithQualityHeaderValue.TryParse(part, out StringWithQualityHeaderValue? value)
                && value.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) && (value.Quality ?? 1) > 0)
            {
                return true;
            }
        }

        return false;
    }

    private sealed record Script(ReadOnlyMemory<byte> Plain, ReadOnlyMemory<byte> Gzipped, string ETag)
    {
        public static Script Load()
        {
            using Stream resource = typeof(TrackerEndpoint).Assembly.GetManifestResourceStream("Pulse.Tracker.pulse.js")
                ?? throw new InvalidOperationException("The tracker script is not embedded in this build.");
            using var plain = new MemoryStream();
            resource.CopyTo(plain);
            using var gzipped = new MemoryStream();
            using (var gzip = new GZipStream(gzipped, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                gzip.Write(plain.GetBuffer(), 0, (int)plain.Length);
            }

            string etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(plain.GetBuffer().AsSpan(0, (int)plain.Length)))[..16] + "\"";
            return new Script(plain.ToArray(), gzipped.ToArray(), etag);
        }
    }
}
