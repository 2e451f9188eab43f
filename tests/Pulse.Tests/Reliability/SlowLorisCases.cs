using System.Text;
using Pulse.Tests.EndToEnd;

namespace Pulse.Tests.Reliability;

/// <summary>
/// Bodies that arrive too slowly or never, over raw sockets: trickled byte by byte, a Content-Length
/// declared and never completed, a connection half-closed mid-body, broken chunked framing, and (long
/// form) headers never finished. Kestrel's minimum data rate (240 B/s after a 5 s grace) and header
/// timeout (30 s) must end each one with a 4xx, and never hold the request open.
/// </summary>
internal static class SlowLorisCases
{
    public static readonly string[] Kinds = ["trickle", "stall", "stall_gzip", "half_close", "bad_chunk", "slow_but_in_time", "headers_never_end"];

    /// <summary>The kind of the n-th slow-loris connection; header stalls (30 s each) only in the long form.</summary>
    public static string KindOf(int n, bool includeHeaderStalls) => Kinds[n % (includeHeaderStalls ? Kinds.Length : Kinds.Length - 1)];

    /// <summary>What the server must answer each kind with; null means it may also just close the connection.</summary>
    public static int[] Expected(string kind) => kind switch
    {
        "trickle" or "stall" or "stall_gzip" => [408],
        "half_close" or "bad_chunk" => [400],
        "slow_but_in_time" => [202, 200],
        _ => [408],
    };

    public static async Task<(int? Status, string Head, string Body)> RunAsync(int port, string kind, int n, TimeSpan hangAfter)
    {
        using var timeout = new CancellationTokenSource(hangAfter);
        CancellationToken ct = timeout.Token;
        using RawHttpConnection connection = await RawHttpConnection.OpenAsync(port, ct);
        string[] paths = ["/v1/events", "/v1/track", "/v1/page", "/v1/batch"];
        string path = paths[n % paths.Length];
        byte[] body = Encoding.UTF8.GetBytes(path switch
        {
            "/v1/events" => $"{{\"event_id\":\"slow-{n}\",\"type\":\"page_view\",\"user_id\":\"slow{n}\"}}",
            "/v1/batch" => $"{{\"batch\":[{{\"type\":\"track\",\"messageId\":\"slow-{n}\",\"event\":\"Slow\",\"userId\":\"slow{n}\"}}]}}",
            _ => $"{{\"messageId\":\"slow-{n}\",\"event\":\"Slow\",\"name\":\"Slow\",\"userId\":\"slow{n}\"}}",
        });
        string[] json = ["Content-Type: application/json"];
        switch (kind)
        {
            case "trickle":
                // 4 bytes a second, far below the minimum rate: given up on after the grace period.
                await connection.SendAsync(RawHttpConnection.Head("POST", path, [.. json, $"Content-Length: {body.Length}"]), ct);
                using (var stopTrickle = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    Task trickle = connection.TrickleAsync(body, TimeSpan.FromMilliseconds(250), stopTrickle.Token);
                    (int?, string, string) answer = await connection.ReadResponseAsync(ct);
                    await stopTrickle.CancelAsync();
                    try
                    {
                        await trickle;
                    }
                    catch (OperationCanceledException)
                    {
                    }

                    return answer;
                }

            case "stall":
                await connection.SendAsync(RawHttpConnection.Head("POST", path, [.. json, "Content-Length: 1000"]), ct);
                await connection.SendAsync(body.AsMemory(0, 10), ct);
                return await connection.ReadResponseAsync(ct);
            case "stall_gzip":
                await connection.SendAsync(RawHttpConnection.Head("POST", path, [.. json, "Content-Encoding: gzip", "Content-Length: 1000"]), ct);
                await connection.SendAsync(new byte[] { 0x1f, 0x8b, 0x08, 0x00 }, ct);
                return await connection.ReadResponseAsync(ct);
            case "half_close":
                await connection.SendAsync(RawHttpConnection.Head("POST", path, [.. json, "Content-Length: 1000"]), ct);
                await connection.SendAsync(body.AsMemory(0, 10), ct);
                connection.ShutdownWrite();
                return await connection.ReadResponseAsync(ct);
            case "bad_chunk":
                await connection.SendAsync(RawHttpConnection.Head("POST", path, [.. json, "Transfer-Encoding: chunked"]), ct);
                await connection.SendAsync(Encoding.ASCII.GetBytes("5\r\n{\"typ\r\nzz\r\nnot a chunk\r\n"), ct);
                return await connection.ReadResponseAsync(ct);
            case "slow_but_in_time":
                // A byte every 15 ms, done in under 2 s: slow, but within the grace period, so accepted.
                await connection.SendAsync(RawHttpConnection.Head("POST", path, [.. json, $"Content-Length: {body.Length}"]), ct);
                await connection.TrickleAsync(body, TimeSpan.FromMilliseconds(15), ct);
                return await connection.ReadResponseAsync(ct);
            default:
                await connection.SendAsync(Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl"), ct);
                return await connection.ReadResponseAsync(ct);
        }
    }
}
