namespace Pulse.Analytics.Funnels;

/// <summary>
/// A funnel ready to run: its ordered steps as predicate bit masks (an event reaches a step when it
/// satisfies that step's predicate), and the time limit from the first step (0: the session's end).
/// </summary>
public sealed record Funnel(string Name, IReadOnlyList<string> StepNames, ulong[] StepMasks, long WithinMs)
{
    public int StepCount => StepMasks.Length;
}
