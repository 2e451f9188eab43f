using System.Globalization;
using System.Net.Sockets;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections.Features;

namespace Pulse.Live;

/// <summary><c>WS /v1/live[?interval_ms=1000]</c>.</summary>
public static class LiveEndpoints
{
    /// <summary>
    /// The subprotocol the server selects when a client offers it. Browsers cannot set headers on a
    /// WebSocket, so the dashboard offers its key as a second protocol (<c>pulse.bearer.KEY</c>), which is
    /// never selected; a client that offers protocols must have one selected or the browser drops the socket.
    /// </summary>
    public const string SubProtocol = "pulse.v1";

    /// <summary>
    /// The kernel send buffer of a live socket. Left to autotuning, a loopback or LAN socket grows it
    /// to megabytes, so a client that stops reading was sent minutes of snapshots (measured: 600 per
    /// stalled client in 60 s, none skipped) before a send ever waited and the broadcaster could skip
    /// it — memory the slow client held after all, in the kernel. A live feed needs little: 16 KB
    /// (the kernel doubles it) holds a dozen snapshots, beyond which a stalled client is skipped.
    /// </summary>
    public const int SendBufferBytes = 16 * 1024;

    public static void MapLive(this IEndpointRouteBuilder app)
    {
        app.Map("/v1/live", LiveAsync).WithName("LiveFeed");
    }

    private static async Task LiveAsync(HttpContext context, LiveBroadcaster broadcaster, IHostApplicationLifetime lifetime)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Http.Problems.Create(400, "WebSocket required", "Connect to /v1/live with a WebSocket upgrade request.").ExecuteAsync(context);
            return;
        }

        int interval = 1000;
        string? asked = context.Request.Query["interval_ms"];
        if (asked is not null && (!int.TryParse(asked, NumberStyles.None, CultureInfo.InvariantCulture, out interval) || interval > 3_600_000))
        {
            await Http.Problems.Create(400, "Invalid interval", $"'interval_ms' must be an integer from {LiveBroadcaster.MinIntervalMs} to 3600000 (got '{asked}').").ExecuteAsync(context);
            return;
        }

        interval = Math.Max(LiveBroadcaster.MinIntervalMs, interval);
        // Clients that offer no subprotocol (curl, websocat, older scripts) are accepted without one.
        string? selected = context.WebSockets.WebSocketRequestedProtocols.Contains(SubProtocol) ? SubProtocol : null;
        LimitSendBuffer(context);
        using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync(selected);
        LiveSubscriber subscriber = broadcaster.Subscribe(socket, interval);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        byte[] sink = new byte[1024];
        try
        {
            // Clients do not need to send anything; reading only notices a close.
            while (socket.State == WebSocketState.Open)
            {
                WebSocketReceiveResult result = await socket.ReceiveAsync(sink, stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
        finally
        {
            broadcaster.Unsubscribe(subscriber);
        }
    }

    private static void LimitSendBuffer(HttpContext context)
    {
        // Only an HTTP/1.1 upgrade owns its connection; over HTTP/2 the socket carries other streams too.
        if (!HttpProtocol.IsHttp11(context.Request.Protocol) || context.Features.Get<IConnectionSocketFeature>()?.Socket is not Socket connection)
        {
            return;
        }

        try
        {
            connection.SendBufferSize = SendBufferBytes;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The client is already gone; the receive loop will notice.
        }
    }
}
