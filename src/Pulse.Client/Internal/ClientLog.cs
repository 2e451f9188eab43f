using Microsoft.Extensions.Logging;

namespace Pulse.Client.Internal;

internal static partial class ClientLog
{
    [LoggerMessage(1, LogLevel.Warning, "Pulse rejected event {EventId} ({Type}): {Error}")]
    public static partial void Rejected(ILogger logger, string eventId, string type, string error);

    [LoggerMessage(2, LogLevel.Warning, "Sending {Count} events to Pulse failed (attempt {Attempt} of {MaxAttempts}): {Error}; retrying in {Delay}")]
    public static partial void Retrying(ILogger logger, int count, int attempt, int maxAttempts, string? error, TimeSpan delay);

    [LoggerMessage(3, LogLevel.Error, "Gave up sending {Count} events to Pulse: {Error}")]
    public static partial void GaveUp(ILogger logger, int count, string? error);

    [LoggerMessage(4, LogLevel.Warning, "The Pulse client's queue is full ({Capacity} events): new events are dropped and counted (warned once per overflow)")]
    public static partial void Overflow(ILogger logger, int capacity);

    [LoggerMessage(5, LogLevel.Warning, "The Pulse client stopped with {Count} events unsent: the shutdown bound of {Timeout} passed")]
    public static partial void Abandoned(ILogger logger, long count, TimeSpan timeout);

    [LoggerMessage(6, LogLevel.Warning, "Events were tracked after the Pulse client shut down; they are dropped and counted (warned once)")]
    public static partial void TrackedAfterShutdown(ILogger logger);
}
