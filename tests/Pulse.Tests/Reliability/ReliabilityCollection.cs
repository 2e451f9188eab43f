namespace Pulse.Tests.Reliability;

/// <summary>
/// The reliability suites (issue 8) run one at a time and after every other test: their figures
/// (latency under overload, RSS over a soak) mean something only on a machine that is not also
/// running the rest of the suite.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilityCollection
{
    public const string Name = "Reliability";
}
