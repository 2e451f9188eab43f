using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Pulse.Bench;

/// <summary>
/// The load client: one pooled keep-alive HttpClient that POSTs pre-built bodies and reads the
/// <c>accepted</c> count of each 202. Per request it allocates only what HttpClient itself needs.
/// </summary>
internal sealed class IngestClient : IDisposable
{
    private readonly HttpClient _client;
    private readonly Uri _events;

    public IngestClient(Uri baseAddress, int connections)
    {
        BaseAddress = baseAddress;
        _events = new Uri(baseAddress, "/v1/events");
        _client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(1, connections),
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public Uri BaseAddress { get; }

    public HttpClient Http => _client;

    /// <summary>POSTs the body; returns events accepted (0 for anything but 202) and the status.</summary>
    public async Task<(int Accepted, HttpStatusCode Status)> PostAsync(ReadOnlyMemory<byte> body, string contentType, byte[] responseBuffer, CancellationToken cancellationToken)
    {
        using var content = new ReadOnlyMemoryContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, _events) { Content = content };
        using HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        int length = await ReadAsync(response, responseBuffer, cancellationToken).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.Accepted
            ? (ReadAccepted(responseBuffer.AsSpan(0, length)), response.StatusCode)
            : (0, response.StatusCode);
    }

    /// <summary>GETs <paramref name="pathAndQuery"/> into the buffer; returns the status and the body length kept.</summary>
    public async Task<(HttpStatusCode Status, int Length)> GetAsync(string pathAndQuery, byte[] responseBuffer, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(BaseAddress, pathAndQuery));
        using HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        int length = await ReadAsync(response, responseBuffer, cancellationToken).ConfigureAwait(false);
        return (response.StatusCode, length);
    }

    /// <summary>Reads the whole response, keeping what fits in the buffer (the rest is drained so the connection stays usable).</summary>
    private static async Task<int> ReadAsync(HttpResponseMessage response, byte[] buffer, CancellationToken cancellationToken)
    {
        Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            int total = 0;
            int read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            if (total == buffer.Length)
            {
                byte[] drain = ArrayPool<byte>.Shared.Rent(16 * 1024);
                while (await stream.ReadAsync(drain, cancellationToken).ConfigureAwait(false) > 0)
                {
                }

                ArrayPool<byte>.Shared.Return(drain);
            }

            return total;
        }
    }

    internal static int ReadAccepted(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("accepted"u8))
                {
                    reader.Read();
                    return reader.GetInt32();
                }
            }
        }
        catch (JsonException)
        {
        }

        return 0;
    }

    /// <summary>Time since <paramref name="start"/> in milliseconds.</summary>
    public static double Since(long start) => Stopwatch.GetElapsedTime(start).TotalMilliseconds;

    public void Dispose() => _client.Dispose();
}
