using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;

namespace Pulse.Tests.Reliability;

/// <summary>How a live-feed client in the slow-clients suite reads.</summary>
internal enum LiveClientKind
{
    /// <summary>Reads every message as it comes.</summary>
    Fast,

    /// <summary>Reads one message a second, on a socket with a small receive buffer: falls behind at once.</summary>
    Slow,

    /// <summary>Connects and never reads again, on a small receive buffer.</summary>
    Stalled,
}

/// <summary>
/// One <c>WS /v1/live</c> subscriber that records when each message arrived (monotonic ms). Slow and
/// stalled clients get a 4 KB socket receive buffer, so the server's sends back up within seconds
/// instead of filling megabytes of loopback buffers first.
/// </summary>
internal sealed class LiveClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly HttpMessageInvoker _invoker;
    private readonly List<long> _arrivals = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _reading = Task.CompletedTask;

    public LiveClient(LiveClientKind kind)
    {
        Kind = kind;
        var handler = new SocketsHttpHandler();
        if (kind != LiveClientKind.Fast)
        {
            handler.ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 4096 };
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            };
        }

        _invoker = new HttpMessageInvoker(handler);
    }

    public LiveClientKind Kind { get; }

    /// <summary>Size of the first message read (a snapshot).</summary>
    public int FirstMessageBytes { get; private set; }

    /// <summary>Set when the server closed or reset the connection.</summary>
    public bool Disconnected { get; private set; }

    public async Task ConnectAsync(Uri uri, CancellationToken ct)
    {
        await _socket.ConnectAsync(uri, _invoker, ct);
        if (Kind != LiveClientKind.Stalled)
        {
            _reading = Task.Run(ReadAsync, CancellationToken.None);
        }
    }

    /// <summary>Arrival times (ms on <see cref="Stopwatch"/>) of the messages read so far.</summary>
    public long[] Arrivals()
    {
        lock (_arrivals)
        {
            return [.. _arrivals];
        }
    }

    private async Task ReadAsync()
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                ValueWebSocketReceiveResult result;
                int size = 0;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(), _stop.Token);
                    size += result.Count;
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        Disconnected = true;
                        return;
                    }
                }
                while (!result.EndOfMessage);

                if (FirstMessageBytes == 0)
                {
                    FirstMessageBytes = size;
                }

                lock (_arrivals)
                {
                    _arrivals.Add(Stopwatch.GetTimestamp() * 1000 / Stopwatch.Frequency);
                }

                if (Kind == LiveClientKind.Slow)
                {
                    await Task.Delay(1000, _stop.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (WebSocketException)
        {
            Disconnected = true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        // Abort, not a close handshake: a stalled client would never read the server's close frame.
        _socket.Abort();
        await _reading;
        _socket.Dispose();
        _invoker.Dispose();
        _stop.Dispose();
    }
}
