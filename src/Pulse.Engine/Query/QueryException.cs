namespace Pulse.Query;

/// <summary>A query the engine cannot answer as asked; the message tells the caller what to change.</summary>
public sealed class QueryException(string message, int status = 400) : Exception(message)
{
    public int Status { get; } = status;
}
