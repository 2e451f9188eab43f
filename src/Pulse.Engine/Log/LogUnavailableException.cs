namespace Pulse.Log;

/// <summary>
/// Thrown by an append while the log cannot take writes: a write failed and the log could not
/// undo it (see <see cref="PartitionLog.LastError"/>). HTTP: 503.
/// </summary>
public sealed class LogUnavailableException : Exception
{
    public LogUnavailableException()
    {
    }

    public LogUnavailableException(string message)
        : base(message)
    {
    }

    public LogUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
