namespace Pulse.Generate;

/// <summary>What one POST attempt came to.</summary>
internal enum PostOutcome : byte
{
    Acknowledged = 0,
    Retry,
    Rejected,
    Failed,
}
