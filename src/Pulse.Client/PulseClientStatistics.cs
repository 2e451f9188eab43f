namespace Pulse.Client;

/// <summary>What a <see cref="PulseClient"/> has done since it was created; a snapshot.</summary>
/// <param name="Queued">Events waiting in the queue now.</param>
/// <param name="Accepted">Events the server accepted and stored (durably) for the first time.</param>
/// <param name="Duplicates">Events the server already had — a retry whose earlier answer was lost; counted once there.</param>
/// <param name="Rejected">Events the server refused as invalid (logged with the server's reason); never retried.</param>
/// <param name="Dropped">Events not queued because the queue was full (<see cref="QueueOverflowPolicy.DropNewest"/>) or the client was shut down.</param>
/// <param name="Failed">Events given up after <see cref="PulseClientOptions.MaxAttempts"/>, a permanent error (401, 403, 413, ...) or the shutdown bound.</param>
/// <param name="Retries">Requests sent again after a network error, a timeout, a 429 or a 5xx.</param>
/// <param name="Requests">Requests sent, retries included.</param>
public readonly record struct PulseClientStatistics(
    long Queued, long Accepted, long Duplicates, long Rejected, long Dropped, long Failed, long Retries, long Requests);
