using System.Net.WebSockets;

namespace Pulse.Live;

/// <summary>One live-feed socket: its interval and whether a send is in flight.</summary>
public sealed class LiveSubscriber(long id, WebSocket socket, int intervalMs)
{
    private long _nextDue;
    private int _sending;

    public long Id { get; } = id;
    public int IntervalMs { get; } = intervalMs;
    public WebSocket Socket { get; } = socket;

    public bool IsDue(long nowMs) => nowMs >= Volatile.Read(ref _nextDue) && Socket.State == WebSocketState.Open;

    /// <summary>Starts sending unless the previous message is still going out (then the client skips this one).</summary>
    public bool TrySend(ReadOnlyMemory<byte> message, long nowMs)
    {
        if (Interlocked.CompareExchange(ref _sending, 1, 0) != 0)
        {
            return false;
        }

        Volatile.Write(ref _nextDue, nowMs + IntervalMs);
        _ = SendAsync(message);
        return true;
    }

    /// <summary>Sends an event message (a pattern match, an anomaly) between snapshots; skipped like a snapshot when a send is in flight.</summary>
    public bool TrySendEvent(ReadOnlyMemory<byte> message)
    {
        if (Socket.State != WebSocketState.Open || Interlocked.CompareExchange(ref _sending, 1, 0) != 0)
        {
            return false;
        }

        _ = SendAsync(message);
        return true;
    }

    private async Task SendAsync(ReadOnlyMemory<byte> message)
    {
        try
        {
            await Socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // The receive loop notices the closed socket and unsubscribes it.
        }
        finally
        {
            Volatile.Write(ref _sending, 0);
        }
    }
}
