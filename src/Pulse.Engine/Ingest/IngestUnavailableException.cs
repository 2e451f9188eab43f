namespace Pulse.Ingest;

/// <summary>The log cannot take the events now (full, or failing to write): the client should retry later.</summary>
public sealed class IngestUnavailableException(string message, TimeSpan retryAfter, Exception? inner = null) : Exception(message, inner)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
