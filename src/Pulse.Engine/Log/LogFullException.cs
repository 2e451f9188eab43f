namespace Pulse.Log;

/// <summary>
/// Thrown by an append when too many bytes are waiting for disk: the caller should back off
/// (HTTP: 503 with Retry-After) or wait with <see cref="PartitionLog.WaitForRoomAsync"/> first.
/// </summary>
public sealed class LogFullException : Exception
{
    public LogFullException()
    {
    }

    public LogFullException(string message)
        : base(message)
    {
    }

    public LogFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public LogFullException(int partition, long pendingBytes, long maxPendingBytes)
        : base($"Log partition {partition} has {pendingBytes} bytes waiting for disk (limit {maxPendingBytes}); retry shortly.")
    {
        Partition = partition;
        PendingBytes = pendingBytes;
    }

    public int Partition { get; }

    public long PendingBytes { get; }
}
