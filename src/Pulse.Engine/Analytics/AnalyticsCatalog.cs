using Pulse.Analytics.Definitions;
using Pulse.Analytics.Funnels;
using Pulse.Analytics.Metrics;
using Pulse.Analytics.Patterns;
using Pulse.Analytics.Predicates;

namespace Pulse.Analytics;

/// <summary>
/// The funnels and patterns the analytics run, compiled against one predicate set (each condition
/// evaluated once per event, whichever definitions share it). Immutable: a change of definitions
/// builds a new catalog whose predicate set extends the old one bit for bit, so events already
/// evaluated keep their meaning, and every partition switches to it under its lock.
/// </summary>
public sealed class AnalyticsCatalog
{
    /// <summary>The built-in <c>checkout</c> funnel: a product page, add_to_cart, checkout, purchase, within one session.</summary>
    public const string CheckoutJson = """
        {"kind": "funnel", "steps": [
          {"name": "view_product", "when": {"type": "page_view", "page": {"prefix": "/product/"}}},
          {"name": "add_to_cart", "when": {"type": "add_to_cart"}},
          {"name": "checkout", "when": {"type": "checkout"}},
          {"name": "purchase", "when": {"type": "purchase"}}],
         "description": "a product page, add_to_cart, checkout and purchase, in that order within one session"}
        """;

    private AnalyticsCatalog(PredicateSet predicates, IReadOnlyList<AnalyticsDefinition> definitions, IReadOnlyList<Funnel> funnels, IReadOnlyList<PatternMatcher> patterns)
    {
        PredicateSet = predicates;
        Definitions = definitions;
        Funnels = funnels;
        Patterns = patterns;
        Metrics = [.. definitions.Where(d => d.Metric is not null).Select(d => d.Metric!)];
        Predicates = predicates.Count == 0 ? null : predicates.Evaluate;
    }

    /// <summary>No funnels and no patterns: sessions only.</summary>
    public static AnalyticsCatalog SessionsOnly { get; } = new(new PredicateSet(), [], [], []);

    /// <summary>The built-in definitions: the checkout funnel, cart_abandonment and purchase_burst.</summary>
    public static IReadOnlyList<AnalyticsDefinition> BuiltInDefinitions { get; } = CreateBuiltIns();

    public PredicateSet PredicateSet { get; }

    /// <summary>Every definition the catalog runs, built-ins first.</summary>
    public IReadOnlyList<AnalyticsDefinition> Definitions { get; }

    public IReadOnlyList<Funnel> Funnels { get; }

    public IReadOnlyList<PatternMatcher> Patterns { get; }

    /// <summary>The user-defined metrics (their filters are evaluated by the metrics themselves, not through the predicate set).</summary>
    public IReadOnlyList<UserMetric> Metrics { get; }

    public UserMetric? FindMetric(string name) => Metrics.FirstOrDefault(m => m.Name == name);

    /// <summary>Evaluates every predicate once per event (null: there are none).</summary>
    public PredicateEvaluator? Predicates { get; }

    public IEnumerable<string> PatternNames => Patterns.Select(p => p.Definition.Name);

    public bool HasPattern(string name) => Patterns.Any(p => p.Definition.Name == name);

    public AnalyticsDefinition? Find(string name) => Definitions.FirstOrDefault(d => d.Name == name);

    /// <summary>The built-ins only.</summary>
    public static AnalyticsCatalog BuiltIn() => Build(BuiltInDefinitions, null, []) ?? throw new InvalidOperationException("The built-in definitions do not compile.");

    /// <summary>
    /// Compiles <paramref name="definitions"/>, extending <paramref name="previous"/>'s predicate set
    /// (or a new one). Null, with an error, when their conditions do not fit the set.
    /// </summary>
    public static AnalyticsCatalog? Build(IReadOnlyList<AnalyticsDefinition> definitions, AnalyticsCatalog? previous, List<DefinitionError> errors)
    {
        PredicateSet predicates = previous?.PredicateSet.Copy() ?? new PredicateSet();
        var funnels = new List<Funnel>();
        var patterns = new List<PatternMatcher>();
        foreach (AnalyticsDefinition definition in definitions)
        {
            if (definition.Metric is not null)
            {
                continue;
            }

            if (definition.Pattern is { } pattern)
            {
                if (PatternMatcher.TryCreate(pattern, predicates, errors) is not { } matcher)
                {
                    return null;
                }

                patterns.Add(matcher);
                continue;
            }

            FunnelDefinition funnel = definition.Funnel!;
            if (predicates.Count + predicates.CountMissing(funnel.Steps.Select(s => s.When)) > PredicateSet.Capacity)
            {
                errors.Add(new DefinitionError("", $"this funnel needs more event conditions than the {PredicateSet.Capacity - predicates.Count} of {PredicateSet.Capacity} still free (over all funnels and patterns); reuse conditions of other definitions or delete some"));
                return null;
            }

            var masks = new ulong[funnel.Steps.Count];
            for (int i = 0; i < masks.Length; i++)
            {
                if (!predicates.TryAdd(funnel.Steps[i].When, out int bit))
                {
                    errors.Add(new DefinitionError($"steps[{i}].when", $"the engine evaluates at most {PredicateSet.MaxPropertyNames} distinct property names over all funnels and patterns"));
                    return null;
                }

                masks[i] = 1UL << bit;
            }

            funnels.Add(new Funnel(funnel.Name, [.. funnel.Steps.Select(s => s.Name)], masks, funnel.WithinMs));
        }

        return new AnalyticsCatalog(predicates, definitions, funnels, patterns);
    }

    private static List<AnalyticsDefinition> CreateBuiltIns()
    {
        var errors = new List<DefinitionError>();
        AnalyticsDefinition checkout = AnalyticsDefinition.Parse("checkout", CheckoutJson, errors) ?? throw new InvalidOperationException(string.Join("; ", errors));
        var list = new List<AnalyticsDefinition> { checkout with { BuiltIn = true } };
        foreach (PatternDefinition pattern in BuiltInPatterns.All)
        {
            list.Add(new AnalyticsDefinition(pattern.Name, true, null, pattern));
        }

        return list;
    }
}
