using System.Globalization;
using System.Net.WebSockets;

namespace Pulse.Live;

/// <summary><c>WS /v1/live[?interval_ms=1000]</c>.</summary>
public static class LiveEndpoints
{
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
        using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
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
}
