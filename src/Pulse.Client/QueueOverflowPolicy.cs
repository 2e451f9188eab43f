namespace Pulse.Client;

/// <summary>What tracking does when the client's bounded queue is full (the server is slow or unreachable).</summary>
public enum QueueOverflowPolicy
{
    /// <summary>
    /// The new event is dropped and counted in <see cref="PulseClientStatistics.Dropped"/>; tracking
    /// never blocks the application. The default: analytics should not slow down what it measures.
    /// </summary>
    DropNewest,

    /// <summary><see cref="PulseClient.TrackAsync"/> waits until there is room (back-pressure); nothing is dropped.</summary>
    Wait,
}
