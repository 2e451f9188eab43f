using Pulse.Analytics.Funnels;

namespace Pulse.Analytics;

/// <summary>The funnels and patterns the analytics run, compiled against one predicate set.</summary>
public sealed class AnalyticsDefinitions(IReadOnlyList<Funnel> funnels, PredicateEvaluator? predicates)
{
    public static AnalyticsDefinitions Empty { get; } = new([], null);

    public IReadOnlyList<Funnel> Funnels { get; } = funnels;

    /// <summary>Evaluates every predicate the funnels and patterns use, once per event (null: none).</summary>
    public PredicateEvaluator? Predicates { get; } = predicates;
}
