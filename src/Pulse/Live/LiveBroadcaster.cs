using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using Pulse.Hosting;
using Pulse.Http;

namespace Pulse.Live;

/// <summary>
/// Pushes the realtime snapshot to every <c>WS /v1/live</c> subscriber at its own interval. Each tick
/// serialises the snapshot once and hands the same bytes to every socket that is due; a socket still
/// busy with its previous message is skipped for that tick, so a slow client never holds memory.
/// </summary>
public sealed partial class LiveBroadcaster(PulseEngine engine, ILogger<LiveBroadcaster> logger) : BackgroundService
{
    public const int MinIntervalMs = 100;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    private readonly ConcurrentDictionary<long, LiveSubscriber> _subscribers = new();
    private long _nextId;

    public int Subscribers => _subscribers.Count;

    public long Skipped => Interlocked.Read(ref _skipped);

    private long _skipped;

    public LiveSubscriber Subscribe(WebSocket socket, int intervalMs)
    {
        var subscriber = new LiveSubscriber(Interlocked.Increment(ref _nextId), socket, intervalMs);
        _subscribers[subscriber.Id] = subscriber;
        return subscriber;
    }

    public void Unsubscribe(LiveSubscriber subscriber) => _subscribers.TryRemove(subscriber.Id, out _);

    /// <summary>Pushes the anomalies found since the last tick as <c>{"type": "anomaly", "data": {...as in /v1/anomalies...}}</c>.</summary>
    private void PushAnomalies(ArrayBufferWriter<byte> buffer)
    {
        while (engine.LiveAnomalies.TryRead(out Pulse.Store.StoredAnomaly? anomaly))
        {
            if (!_subscribers.IsEmpty)
            {
                Broadcast(buffer, "anomaly"u8, w => AnalyticsEndpoints.WriteAnomaly(w, anomaly));
            }
        }
    }

    /// <summary>Pushes the pattern matches found since the last tick to every subscriber as <c>{"type": "pattern", "data": {...}}</c>.</summary>
    private void PushMatches(ArrayBufferWriter<byte> buffer)
    {
        while (engine.LiveMatches.TryRead(out Pulse.Analytics.PatternMatchRecord? match))
        {
            if (!_subscribers.IsEmpty)
            {
                Broadcast(buffer, "pattern"u8, w => AnalyticsEndpoints.WriteMatch(w, match));
            }
        }
    }

    /// <summary>Sends one <c>{"type": ..., "data": ...}</c> event message to every subscriber not busy with a send.</summary>
    private void Broadcast(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> type, Action<Utf8JsonWriter> writeData)
    {
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer, JsonWriting.Options))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, type);
            writer.WritePropertyName("data"u8);
            writeData(writer);
            writer.WriteEndObject();
        }

        ReadOnlyMemory<byte> message = buffer.WrittenSpan.ToArray();
        foreach (LiveSubscriber subscriber in _subscribers.Values)
        {
            if (subscriber.TrySendEvent(message))
            {
                Metrics.ServerInstruments.LiveMessagesSent.Add(1);
            }
            else
            {
                Interlocked.Increment(ref _skipped);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick);
        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                PushMatches(buffer);
                PushAnomalies(buffer);
                long now = Environment.TickCount64;
                ReadOnlyMemory<byte> message = default;
                foreach (LiveSubscriber subscriber in _subscribers.Values)
                {
                    if (!subscriber.IsDue(now))
                    {
                        continue;
                    }

                    if (message.IsEmpty)
                    {
                        buffer.ResetWrittenCount();
                        using (var writer = new Utf8JsonWriter(buffer, JsonWriting.Options))
                        {
                            JsonOutput.WriteLiveSnapshot(writer, engine.Realtime.Current());
                        }

                        // Each tick gets its own copy: sends still in flight keep reading the previous one.
                        message = buffer.WrittenSpan.ToArray();
                    }

                    if (subscriber.TrySend(message, now))
                    {
                        Metrics.ServerInstruments.LiveMessagesSent.Add(1);
                    }
                    else
                    {
                        Interlocked.Increment(ref _skipped);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is InvalidOperationException or WebSocketException)
        {
            LogBroadcastFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Live broadcaster stopped")]
    private static partial void LogBroadcastFailed(ILogger logger, Exception exception);
}
