namespace Pulse.Generate;

/// <summary>Running counts shared by the sender tasks (interlocked; read for progress and the summary).</summary>
internal sealed class SendCounters
{
    public long Sent;
    public long Accepted;
    public long Duplicates;
    public long Rejected;
    public long Retries;
    public long FailedBatches;
    public long AcknowledgedBatches;
}
