using Pulse.Analytics;
using Pulse.Analytics.Definitions;
using Pulse.Analytics.Predicates;
using Pulse.Query;
using Pulse.Tests.Processing;
using static Pulse.Tests.Processing.TestEvents;

namespace Pulse.Tests.Analytics;

/// <summary>User definitions of funnels and patterns: validation, applying from now on, deleting, and restarts with other definitions.</summary>
public sealed class DefinitionTests
{
    private const long Min = 60_000;
    private const long Hour = 60 * Min;
    private const long T0 = 1_795_219_200_000 + (5 * Hour);

    private const string SignupFunnel = """{"kind": "funnel", "steps": [{"name": "signup", "when": {"type": "signup"}}, {"name": "upgrade", "when": {"type": "upgrade", "properties.plan": "pro"}}], "within": "1h"}""";
    private const string SearchThenCart = """{"kind": "sequence", "steps": [{"type": "page_view", "page": {"prefix": "/search"}}, {"type": "add_to_cart"}], "within": "10m", "scope": "session"}""";

    private sealed class MemoryDefinitions : IDefinitionStore
    {
        public Dictionary<string, string> Saved { get; } = [];

        public IReadOnlyList<(string Name, string Json)> LoadDefinitions() => [.. Saved.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => (d.Key, d.Value))];

        public void SaveDefinition(string name, string json, long nowMs) => Saved[name] = json;

        public bool DeleteDefinition(string name) => Saved.Remove(name);
    }

    [Fact]
    public void A_pattern_defined_at_runtime_applies_from_the_next_event_and_stops_when_deleted()
    {
        using StateHarness h = new(analytics: new AnalyticsOptions());
        var store = new MemoryDefinitions();
        var registry = new DefinitionRegistry([h.State], store, AnalyticsCatalog.BuiltIn(), TimeProvider.System);
        h.Apply(Event("page_view", T0, "early", page: "/search?q=a"), Event("add_to_cart", T0 + 1000, "early"), Event("click", T0 + 10_000, "x"));

        var errors = new List<DefinitionError>();
        Assert.Equal(DefinitionOutcome.Created, registry.Put("search_then_cart", SearchThenCart, errors));
        Assert.Empty(errors);
        Assert.True(store.Saved.ContainsKey("search_then_cart"));
        h.Apply(Event("page_view", T0 + 20_000, "late", page: "/search?q=b"), Event("add_to_cart", T0 + 21_000, "late"), Event("click", T0 + 40_000, "x"));

        List<PatternMatchRecord> matches = new MatchQueries([h.State], h.Store).Execute("search_then_cart", T0 - Hour, T0 + Hour, 100);
        Assert.Equal("late", Assert.Single(matches).UserId);

        Assert.Equal(DefinitionOutcome.Deleted, registry.Delete("search_then_cart"));
        h.Apply(Event("page_view", T0 + 50_000, "after", page: "/search"), Event("add_to_cart", T0 + 51_000, "after"), Event("click", T0 + 70_000, "x"));
        Assert.Single(new MatchQueries([h.State], h.Store).Execute("search_then_cart", T0 - Hour, T0 + Hour, 100));
        Assert.Equal(DefinitionOutcome.NotFound, registry.Delete("search_then_cart"));
        Assert.Empty(store.Saved);
    }

    [Fact]
    public void A_funnel_defined_at_runtime_counts_its_steps_with_property_conditions()
    {
        using StateHarness h = new(analytics: new AnalyticsOptions());
        var registry = new DefinitionRegistry([h.State], new MemoryDefinitions(), AnalyticsCatalog.BuiltIn(), TimeProvider.System);
        Assert.Equal(DefinitionOutcome.Created, registry.Put("signup", SignupFunnel, []));
        h.Apply(
            Event("signup", T0, "a"),
            """{"type":"upgrade","timestamp":1795237201000,"user_id":"a","properties":{"plan":"pro"}}""",
            Event("signup", T0 + 2000, "b"),
            """{"type":"upgrade","timestamp":1795237203000,"user_id":"b","properties":{"plan":"basic"}}""");
        h.AdvanceAnalytics(T0 + (3 * Hour));

        FunnelResult funnel = new FunnelQueries([h.State], h.Store).Execute("signup", T0 - Hour, T0 + Hour)!;
        Assert.Equal([2L, 1L], funnel.Steps.Select(s => s.Sessions));
        Assert.Equal(0.5, funnel.Steps[1].Conversion);
    }

    [Fact]
    public void Built_ins_cannot_be_changed_and_mistakes_are_reported_with_their_paths()
    {
        using StateHarness h = new(analytics: new AnalyticsOptions());
        var registry = new DefinitionRegistry([h.State], new MemoryDefinitions(), AnalyticsCatalog.BuiltIn(), TimeProvider.System);
        var errors = new List<DefinitionError>();
        Assert.Equal(DefinitionOutcome.BuiltIn, registry.Put("checkout", SignupFunnel, errors));
        Assert.Contains("built-in", errors[0].Message, StringComparison.Ordinal);
        Assert.Equal(DefinitionOutcome.BuiltIn, registry.Delete("cart_abandonment"));

        (string Json, string Path, string Says)[] mistakes =
        [
            ("""{"kind": "funnel", "steps": [{"name": "a", "when": {"type": "x"}}]}""", "steps", "2 to 8 steps"),
            ("""{"kind": "funnel", "steps": [{"name": "a", "when": {"type": "x"}}, {"name": "a", "when": {"type": "y"}}]}""", "steps[1].name", "names two steps"),
            ("""{"kind": "funnel", "steps": [{"name": "a", "when": {"type": "x"}}, {"name": "b", "wen": {"type": "y"}}]}""", "steps[1].wen", "did you mean 'when'"),
            ("""{"kind": "funnel", "steps": [{"name": "A B", "when": {"type": "x"}}, {"name": "b", "when": {"typ": "y"}}]}""", "steps[0].name", "a-z, 0-9"),
            ("""{"kind": "funnel", "steps": [{"name": "a", "when": {"type": "x"}}, {"name": "b", "when": {"type": "y"}}], "within": "soon"}""", "within", "not a duration"),
            ("""{"kind": "metric", "aggregate": "count", "field": "price"}""", "field", "takes no field"),
            ("""{"kind": "absence", "first": {"type": "x"}}""", "absent", "required"),
            ("""[1, 2]""", "", "JSON object"),
            ("""{"kind": "funnel", """, "", "not valid JSON"),
        ];
        foreach ((string json, string path, string says) in mistakes)
        {
            errors.Clear();
            Assert.Equal(DefinitionOutcome.Invalid, registry.Put("mine", json, errors));
            Assert.Contains(errors, e => e.Path == path && e.Message.Contains(says, StringComparison.Ordinal));
        }

        errors.Clear();
        Assert.Equal(DefinitionOutcome.Invalid, registry.Put("Bad Name", SignupFunnel, errors));
        Assert.Equal("name", errors[0].Path);
        Assert.Null(registry.Current.Find("mine"));
    }

    [Fact]
    public void Stored_definitions_are_loaded_at_start_and_saved_state_maps_onto_other_definitions_by_name()
    {
        var store = new MemoryDefinitions();
        using StateHarness h = new(analytics: new AnalyticsOptions());
        var registry = new DefinitionRegistry([h.State], store, AnalyticsCatalog.BuiltIn(), TimeProvider.System);
        Assert.Equal(DefinitionOutcome.Created, registry.Put("signup", SignupFunnel, []));

        // u1 is half way through the built-in checkout funnel and has an open abandonment at the
        // checkpoint; u3's signup still waits for the watermark, its predicate bits in the old layout.
        h.Apply(Event("page_view", T0, "u1", page: "/product/p1"), Event("add_to_cart", T0 + 1000, "u1"), Event("signup", T0 + 9000, "u3"), Event("click", T0 + 10_000, "x"));
        h.Checkpoint();

        // Restart with one more stored definition (another predicate layout): progress carries over by name.
        Assert.Equal(DefinitionOutcome.Created, registry.Put("search_then_cart", SearchThenCart, []));
        AnalyticsCatalog loaded = DefinitionRegistry.Load(store, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Assert.Equal(["checkout", "cart_abandonment", "purchase_burst", "search_then_cart", "signup"], loaded.Definitions.Select(d => d.Name));
        h.Restart(TimeSpan.FromMinutes(15), loaded);
        h.Replay();
        h.Apply(Event("checkout", T0 + 20_000, "u1"), Event("purchase", T0 + 21_000, "u1"), Event("click", T0 + (2 * Hour), "x"));

        FunnelResult checkout = new FunnelQueries([h.State], h.Store).Execute("checkout", T0 - Hour, T0 + Hour)!;
        Assert.Equal([1L, 1L, 1L, 1L], checkout.Steps.Select(s => s.Sessions));
        Assert.Empty(new MatchQueries([h.State], h.Store).Execute("cart_abandonment", T0 - Hour, T0 + (3 * Hour), 10));
        Assert.Equal([1L, 0L], new FunnelQueries([h.State], h.Store).Execute("signup", T0 - Hour, T0 + Hour)!.Steps.Select(s => s.Sessions));
        Assert.Empty(new MatchQueries([h.State], h.Store).Execute("search_then_cart", T0 - Hour, T0 + (3 * Hour), 10));
    }
}
