namespace Pulse.Bench;

/// <summary>Counters shared by the senders of one load run.</summary>
internal sealed class LoadCounters
{
    public long Accepted;
    public long Requests;
    public long Failures;

    public string? LastFailure { get; private set; }

    public void Fail(string reason)
    {
        Interlocked.Increment(ref Failures);
        LastFailure = reason;
    }
}
