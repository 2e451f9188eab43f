using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Pulse.Tracker;

namespace Pulse.Tests.EndToEnd;

/// <summary><c>GET /pulse.js</c> from a real server: small, cacheable, the right type, no cookies.</summary>
[Trait("Category", "EndToEnd")]
public sealed class TrackerEndpointTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const int MaxGzippedBytes = 3 * 1024;

    [Fact]
    public async Task The_tracker_is_at_most_3_KB_gzipped_and_served_as_cacheable_javascript()
    {
        using var handler = new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None };
        using var http = new HttpClient(handler) { BaseAddress = fixture.Server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, TrackerEndpoint.Path);
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using HttpResponseMessage response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
        Assert.Contains("max-age=3600", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        byte[] gzipped = await response.Content.ReadAsByteArrayAsync();
        Assert.InRange(gzipped.Length, 1, MaxGzippedBytes);

        using var plain = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(gzipped), CompressionMode.Decompress))
        {
            gzip.CopyTo(plain);
        }

        Assert.Equal(TrackerEndpoint.Source.ToArray(), plain.ToArray());
        string script = System.Text.Encoding.UTF8.GetString(plain.ToArray());
        Assert.Contains("/v1/events", script, StringComparison.Ordinal);
        Assert.DoesNotContain("document.cookie", script, StringComparison.Ordinal);

        // Without gzip the same bytes come uncompressed; with the ETag a revalidation is a 304.
        using HttpResponseMessage identity = await http.GetAsync(new Uri(TrackerEndpoint.Path, UriKind.Relative));
        Assert.Empty(identity.Content.Headers.ContentEncoding);
        Assert.Equal(plain.ToArray(), await identity.Content.ReadAsByteArrayAsync());
        using var revalidate = new HttpRequestMessage(HttpMethod.Get, TrackerEndpoint.Path);
        revalidate.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        using HttpResponseMessage notModified = await http.SendAsync(revalidate);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }
}
