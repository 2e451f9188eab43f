using System.Globalization;
using Pulse.Analytics;
using Pulse.Analytics.Definitions;
using Pulse.Analytics.Predicates;
using Pulse.Query;
using Pulse.Tests.Processing;

namespace Pulse.Tests.Analytics;

/// <summary>User-defined metrics over a real partition state and store, each compared with an exact computation over the same seeded events.</summary>
public sealed class UserMetricTests
{
    private const long Min = 60_000;
    private const long Hour = 60 * Min;
    private const long T0 = 1_795_219_200_000 + (5 * Hour);

    private static readonly string[] Countries = ["DE", "FR", "US", "JP"];
    private static readonly string[] Plans = ["free", "pro", "team"];

    private sealed record Sent(long Time, string Type, string User, string Country, string Plan, double Latency, decimal? Revenue, string Page);

    private static (List<Sent> Events, List<string> Lines) Workload(int seed, int count)
    {
        var random = new Random(seed);
        var events = new List<Sent>();
        for (int i = 0; i < count; i++)
        {
            string type = random.NextDouble() < 0.3 ? "purchase" : "page_view";
            decimal? revenue = type == "purchase" ? Math.Round((decimal)(random.NextDouble() * 200), 2) : null;
            events.Add(new Sent(T0 + random.NextInt64(2 * Hour), type, $"u{random.Next(300)}", Countries[random.Next(4)], Plans[random.Next(3)],
                Math.Round(5 + (random.NextDouble() * random.NextDouble() * 900), 3), revenue, $"/p/{random.Next(40)}"));
        }

        List<string> lines = [.. events.Select(e => string.Create(CultureInfo.InvariantCulture,
            $$$"""{"type":"{{{e.Type}}}","timestamp":{{{e.Time}}},"user_id":"{{{e.User}}}","country":"{{{e.Country}}}","page":"{{{e.Page}}}"{{{(e.Revenue is { } r ? $",\"revenue\":{r}" : "")}}},"properties":{"plan":"{{{e.Plan}}}","latency_ms":{{{e.Latency}}}}}"""))];
        return (events, lines);
    }

    private static StateHarness WithMetrics(params (string Name, string Json)[] definitions)
    {
        var all = new List<AnalyticsDefinition>(AnalyticsCatalog.BuiltInDefinitions);
        foreach ((string name, string json) in definitions)
        {
            var errors = new List<DefinitionError>();
            all.Add(AnalyticsDefinition.Parse(name, json, errors) ?? throw new InvalidOperationException(string.Join("; ", errors)));
        }

        return new StateHarness(analytics: new AnalyticsOptions(), catalog: AnalyticsCatalog.Build(all, null, [])!);
    }

    [Fact]
    public void Sum_avg_min_max_unique_and_percentile_match_an_exact_computation_by_group()
    {
        (List<Sent> sent, List<string> lines) = Workload(seed: 3, count: 6000);
        using StateHarness h = WithMetrics(
            ("revenue_by_country", """{"kind": "metric", "filter": {"type": "purchase"}, "aggregate": "sum", "field": "revenue", "group_by": ["country"]}"""),
            ("avg_latency", """{"kind": "metric", "aggregate": "avg", "field": "properties.latency_ms", "group_by": ["properties.plan"]}"""),
            ("max_order", """{"kind": "metric", "filter": {"type": "purchase"}, "aggregate": "max", "field": "revenue"}"""),
            ("min_order", """{"kind": "metric", "filter": {"type": "purchase"}, "aggregate": "min", "field": "revenue"}"""),
            ("buyers", """{"kind": "metric", "filter": {"type": "purchase"}, "aggregate": "unique", "group_by": ["country", "properties.plan"]}"""),
            ("latency", """{"kind": "metric", "aggregate": "percentile", "field": "properties.latency_ms"}"""));
        h.Apply([.. lines]);
        long from = T0, to = T0 + (2 * Hour);

        MetricResult revenue = h.RunUserMetric("revenue_by_country", from, to, groupBy: "country");
        foreach (string country in Countries)
        {
            decimal exact = sent.Where(e => e.Country == country && e.Revenue is not null).Sum(e => e.Revenue!.Value);
            Assert.Equal(exact, revenue.Series.Single(s => s.Group["country"] == country).Total);
        }

        MetricResult latency = h.RunUserMetric("avg_latency", from, to, groupBy: "properties.plan");
        foreach (string plan in Plans)
        {
            double exact = sent.Where(e => e.Plan == plan).Average(e => e.Latency);
            Assert.Equal(exact, (double)latency.Series.Single(s => s.Group["properties.plan"] == plan).Total, 4);
        }

        Assert.Equal(sent.Where(e => e.Revenue is not null).Max(e => e.Revenue!.Value), h.RunUserMetric("max_order", from, to).Series[0].Total);
        Assert.Equal(sent.Where(e => e.Revenue is not null).Min(e => e.Revenue!.Value), h.RunUserMetric("min_order", from, to).Series[0].Total);

        MetricResult buyers = h.RunUserMetric("buyers", from, to, groupBy: "country");
        foreach (string country in Countries)
        {
            int exact = sent.Where(e => e.Country == country && e.Type == "purchase").Select(e => e.User).Distinct().Count();
            Assert.InRange((double)buyers.Series.Single(s => s.Group["country"] == country).Total, exact * 0.98, exact * 1.02);
        }

        double[] sorted = [.. sent.Select(e => e.Latency).Order()];
        foreach ((string stat, double q) in new[] { ("p50", 0.5), ("p90", 0.9), ("p99", 0.99) })
        {
            double got = (double)h.RunUserMetric("latency", from, to, stat: stat).Series[0].Total;
            int rank = (int)(q * (sorted.Length - 1));
            Assert.InRange(got, sorted[Math.Max(0, rank - 1)] * 0.99, sorted[Math.Min(sorted.Length - 1, rank + 1)] * 1.01);
        }

        Assert.Equal("p90", h.RunUserMetric("latency", from, to, stat: "p90").Stat);
    }

    [Fact]
    public void A_hopping_window_point_covers_its_size_from_its_start()
    {
        (List<Sent> sent, List<string> lines) = Workload(seed: 8, count: 3000);
        using StateHarness h = WithMetrics(("views_10m", """{"kind": "metric", "filter": {"type": "page_view"}, "aggregate": "count", "window": {"type": "hopping", "size": "10m", "hop": "1m"}}"""));
        h.Apply([.. lines]);
        MetricResult result = h.RunUserMetric("views_10m", T0, T0 + Hour, step: "1m");
        Assert.Equal(60, result.Series[0].Points!.Count);
        foreach ((long ts, decimal value) in result.Series[0].Points!)
        {
            Assert.Equal(sent.Count(e => e.Type == "page_view" && e.Time >= ts && e.Time < ts + (10 * Min)), (int)value);
        }

        Assert.Throws<QueryException>(() => h.RunUserMetric("views_10m", T0, T0 + Hour, step: "1h"));
    }

    [Fact]
    public void Past_the_group_cap_events_go_to_other_and_totals_stay_exact()
    {
        (List<Sent> sent, List<string> lines) = Workload(seed: 5, count: 2000);
        using StateHarness h = WithMetrics(("views_by_page", """{"kind": "metric", "aggregate": "count", "group_by": ["page"], "max_groups": 5}"""));
        h.Apply([.. lines]);
        MetricResult result = h.RunUserMetric("views_by_page", T0 + Hour, T0 + Hour + Min, groupBy: "page");
        Assert.True(result.Capped);
        Assert.Contains(result.Series, s => s.Group["page"] == "(other)");
        Assert.Equal(6, result.Series.Count);
        Assert.Equal(sent.Count(e => e.Time >= T0 + Hour && e.Time < T0 + Hour + Min), (int)result.Series.Sum(s => s.Total));
    }

    [Fact]
    public void Group_values_past_the_cap_are_not_kept_even_in_the_dictionary()
    {
        using StateHarness h = WithMetrics(("views_by_user", """{"kind": "metric", "aggregate": "count", "group_by": ["user_id"], "max_groups": 3}"""));
        h.Apply([.. Enumerable.Range(0, 50).Select(i => Processing.TestEvents.Event("page_view", T0 + (i * 100), $"visitor-{i}"))]);

        int interned = Enumerable.Range(0, 50).Count(i => h.Dictionary.TryGetId(System.Text.Encoding.UTF8.GetBytes($"visitor-{i}"), out _));
        Assert.Equal(3, interned);
        MetricResult result = h.RunUserMetric("views_by_user", T0, T0 + Min, groupBy: "user_id");
        Assert.Equal(50m, result.Series.Sum(s => s.Total));
        Assert.Equal(47m, result.Series.Single(s => s.Group["user_id"] == "(other)").Total);
    }

    [Fact]
    public void A_restart_from_a_checkpoint_in_the_middle_gives_the_same_answers()
    {
        (_, List<string> lines) = Workload(seed: 11, count: 3000);
        (string, string) definition = ("revenue_by_plan", """{"kind": "metric", "filter": {"type": "purchase"}, "aggregate": "sum", "field": "revenue", "group_by": ["properties.plan"]}""");
        using StateHarness reference = WithMetrics(definition);
        using StateHarness h = WithMetrics(definition);
        reference.Apply([.. lines]);
        h.Apply([.. lines.Take(1000)]);
        h.Checkpoint();
        h.Apply([.. lines.Skip(1000).Take(1000)]);
        h.Restart(TimeSpan.FromMinutes(15));
        h.Replay();
        h.Apply([.. lines.Skip(2000)]);

        Assert.Equal(
            reference.RunUserMetric("revenue_by_plan", T0, T0 + (2 * Hour), step: "1h", groupBy: "properties.plan").Series.Select(s => (s.Group["properties.plan"], s.Total, string.Join(",", s.Points!))),
            h.RunUserMetric("revenue_by_plan", T0, T0 + (2 * Hour), step: "1h", groupBy: "properties.plan").Series.Select(s => (s.Group["properties.plan"], s.Total, string.Join(",", s.Points!))));
    }

    [Fact]
    public void Each_kind_of_mistake_in_a_metric_definition_is_named_with_its_path()
    {
        (string Json, string Path, string Says)[] mistakes =
        [
            ("""{"kind": "metric"}""", "aggregate", "required"),
            ("""{"kind": "metric", "aggregate": "median", "field": "price"}""", "aggregate", "one of count, sum"),
            ("""{"kind": "metric", "aggregate": "count", "field": "price"}""", "field", "takes no field"),
            ("""{"kind": "metric", "aggregate": "sum"}""", "field", "required for 'sum'"),
            ("""{"kind": "metric", "aggregate": "sum", "field": "country"}""", "field", "is text"),
            ("""{"kind": "metric", "aggregate": "sum", "field": "cost"}""", "field", "not an event field"),
            ("""{"kind": "metric", "aggregate": "count", "group_by": ["country", "device", "page", "type"]}""", "group_by", "at most 3"),
            ("""{"kind": "metric", "aggregate": "count", "group_by": ["country", "country"]}""", "group_by[1]", "already grouped by"),
            ("""{"kind": "metric", "aggregate": "count", "window": {"type": "hopping", "size": "90s", "hop": "1m"}}""", "window", "hop 1m, 1h or 1d"),
            ("""{"kind": "metric", "aggregate": "count", "window": {"type": "session"}}""", "window.type", "not available yet"),
            ("""{"kind": "metric", "aggregate": "count", "max_groups": 0}""", "max_groups", "from 1 to"),
            ("""{"kind": "metric", "aggregate": "count", "retention": "5m"}""", "retention", "at least 1h"),
            ("""{"kind": "metric", "aggregate": "count", "filter": {"typ": "x"}}""", "filter.typ", "did you mean 'type'"),
            ("""{"kind": "metric", "aggregate": "count", "grup_by": []}""", "grup_by", "did you mean 'group_by'"),
        ];
        foreach ((string json, string path, string says) in mistakes)
        {
            var errors = new List<DefinitionError>();
            Assert.Null(AnalyticsDefinition.Parse("mine", json, errors));
            Assert.True(errors.Any(e => e.Path == path && e.Message.Contains(says, StringComparison.Ordinal)), $"{json}: {string.Join(" | ", errors)}");
        }

        var registry = new DefinitionRegistry([], new NoStore(), AnalyticsCatalog.BuiltIn(), TimeProvider.System);
        var nameErrors = new List<DefinitionError>();
        Assert.Equal(DefinitionOutcome.BuiltIn, registry.Put("revenue", """{"kind": "metric", "aggregate": "count"}""", nameErrors));
        Assert.Contains("built-in metric", nameErrors[0].Message, StringComparison.Ordinal);
    }

    private sealed class NoStore : IDefinitionStore
    {
        public IReadOnlyList<(string Name, string Json)> LoadDefinitions() => [];

        public void SaveDefinition(string name, string json, long nowMs)
        {
        }

        public bool DeleteDefinition(string name) => false;
    }
}
