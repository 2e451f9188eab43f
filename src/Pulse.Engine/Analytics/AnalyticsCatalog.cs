using Pulse.Analytics.Funnels;
using Pulse.Analytics.Patterns;
using Pulse.Analytics.Predicates;

namespace Pulse.Analytics;

/// <summary>
/// The funnels and patterns the analytics run, compiled against one predicate set (each condition
/// evaluated once per event, whichever definitions share it). Every partition runs the same catalog.
/// </summary>
public sealed class AnalyticsCatalog
{
    /// <summary>The built-in <c>checkout</c> funnel: a product page, add_to_cart, checkout, purchase, within one session.</summary>
    public static readonly (string Name, string Json)[] CheckoutSteps =
    [
        ("view_product", """{"type": "page_view", "page": {"prefix": "/product/"}}"""),
        ("add_to_cart", """{"type": "add_to_cart"}"""),
        ("checkout", """{"type": "checkout"}"""),
        ("purchase", """{"type": "purchase"}"""),
    ];

    private AnalyticsCatalog(PredicateSet predicates, IReadOnlyList<Funnel> funnels, IReadOnlyList<PatternMatcher> patterns)
    {
        PredicateSet = predicates;
        Funnels = funnels;
        Patterns = patterns;
        Predicates = predicates.Count == 0 ? null : predicates.Evaluate;
    }

    /// <summary>No funnels and no patterns: sessions only.</summary>
    public static AnalyticsCatalog SessionsOnly { get; } = new(new PredicateSet(), [], []);

    public PredicateSet PredicateSet { get; }

    public IReadOnlyList<Funnel> Funnels { get; }

    public IReadOnlyList<PatternMatcher> Patterns { get; }

    /// <summary>Evaluates every predicate once per event (null: there are none).</summary>
    public PredicateEvaluator? Predicates { get; }

    public IEnumerable<string> PatternNames => Patterns.Select(p => p.Definition.Name);

    public bool HasPattern(string name) => Patterns.Any(p => p.Definition.Name == name);

    /// <summary>The built-in checkout funnel and the built-in patterns.</summary>
    public static AnalyticsCatalog BuiltIn()
    {
        var predicates = new PredicateSet();
        var funnel = CompileFunnel("checkout", CheckoutSteps, withinMs: 0, predicates);
        var patterns = new List<PatternMatcher>();
        foreach (PatternDefinition definition in BuiltInPatterns.All)
        {
            patterns.Add(PatternMatcher.Create(definition, predicates));
        }

        return new AnalyticsCatalog(predicates, [funnel], patterns);
    }

    private static Funnel CompileFunnel(string name, (string Name, string Json)[] steps, long withinMs, PredicateSet predicates)
    {
        var masks = new ulong[steps.Length];
        var errors = new List<DefinitionError>();
        for (int i = 0; i < steps.Length; i++)
        {
            EventPredicate predicate = PredicateParser.Parse(steps[i].Json, errors) ?? throw new InvalidOperationException(string.Join("; ", errors));
            masks[i] = 1UL << predicates.Add(predicate);
        }

        return new Funnel(name, [.. steps.Select(s => s.Name)], masks, withinMs);
    }
}
