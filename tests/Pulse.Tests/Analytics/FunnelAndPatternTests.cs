using Pulse.Analytics;
using Pulse.Query;
using Pulse.Tests.Processing;
using static Pulse.Tests.Processing.TestEvents;

namespace Pulse.Tests.Analytics;

/// <summary>The built-in checkout funnel and patterns running inside a partition's analytics over a real store: event order, sessions, restarts.</summary>
public sealed class FunnelAndPatternTests
{
    private const long Min = 60_000;
    private const long Hour = 60 * Min;
    private const long T0 = 1_795_219_200_000 + (5 * Hour);

    private static StateHarness NewHarness() => new(analytics: new AnalyticsOptions());

    private static FunnelResult Checkout(StateHarness h) =>
        new FunnelQueries([h.State], h.Store).Execute("checkout", T0, T0 + (2 * Hour))!;

    private static List<PatternMatchRecord> Matches(StateHarness h, string pattern) =>
        new MatchQueries([h.State], h.Store).Execute(pattern, T0 - Hour, T0 + (10 * Hour), 1000);

    [Fact]
    public void The_checkout_funnel_counts_steps_in_order_within_a_session_by_event_time_not_arrival()
    {
        using StateHarness h = NewHarness();
        h.Apply(
            // u1 completes it, its events arriving out of order (within the allowed lateness).
            Event("add_to_cart", T0 + 2000, "u1", product: "p1"),
            Event("page_view", T0, "u1", page: "/product/p1"),
            Event("purchase", T0 + 4000, "u1", revenue: 10m),
            Event("checkout", T0 + 3000, "u1"),
            // u2 adds to cart before viewing a product: the cart step does not count until after step 1.
            Event("add_to_cart", T0 + 1000, "u2"),
            Event("page_view", T0 + 5000, "u2", page: "/product/p2"),
            // u3 views a product, then adds to cart in a later session (after 31 minutes): only step 1.
            Event("page_view", T0 + 6000, "u3", page: "/product/p3"),
            Event("add_to_cart", T0 + 6000 + (31 * Min), "u3"));
        h.AdvanceAnalytics(T0 + (3 * Hour));

        FunnelResult funnel = Checkout(h);
        Assert.Equal(["view_product", "add_to_cart", "checkout", "purchase"], funnel.Steps.Select(s => s.Name));
        Assert.Equal([3L, 1L, 1L, 1L], funnel.Steps.Select(s => s.Users));
        Assert.Equal([3L, 1L, 1L, 1L], funnel.Steps.Select(s => s.Sessions));
        Assert.Equal(1.0, funnel.Steps[0].Conversion);
        Assert.Equal(Math.Round(1 / 3.0, 6), funnel.Steps[1].Conversion);
        Assert.Equal(1.0, funnel.Steps[3].Conversion);
    }

    [Fact]
    public void Cart_abandonment_fires_once_when_the_watermark_passes_30_minutes_without_a_purchase_in_the_session()
    {
        using StateHarness h = NewHarness();
        h.Apply(
            Event("add_to_cart", T0, "buyer", product: "p1"),
            Event("purchase", T0 + (29 * Min), "buyer", revenue: 5m),
            Event("add_to_cart", T0 + Min, "leaver", product: "p2"),
            Event("page_view", T0 + (20 * Min), "leaver", page: "/"));
        Assert.Empty(Matches(h, "cart_abandonment"));

        h.Apply(Event("page_view", T0 + (40 * Min), "other"));
        List<PatternMatchRecord> matches = Matches(h, "cart_abandonment");
        PatternMatchRecord match = Assert.Single(matches);
        Assert.Equal("leaver", match.UserId);
        Assert.Equal(T0 + (31 * Min), match.TimeMs);
        Assert.Equal(T0 + Min, match.FirstTimeMs);
        Assert.Equal(UserActivity.DerivedSessionId(T0 + Min), match.SessionId);
        Assert.Contains("\"product_id\":\"p2\"", match.DetailsJson, StringComparison.Ordinal);

        h.AdvanceAnalytics(T0 + (5 * Hour));
        Assert.Single(Matches(h, "cart_abandonment"));
    }

    [Fact]
    public void Purchase_burst_fires_once_for_seven_purchases_in_a_minute_and_again_for_a_later_burst()
    {
        using StateHarness h = NewHarness();
        var events = new List<string>();
        for (int i = 0; i < 7; i++)
        {
            events.Add(Event("purchase", T0 + (i * 5000), "whale", revenue: 1m));
        }

        for (int i = 0; i < 4; i++)
        {
            events.Add(Event("purchase", T0 + (i * 5000), "small", revenue: 1m));
        }

        for (int i = 0; i < 5; i++)
        {
            events.Add(Event("purchase", T0 + (3 * Min) + (i * 1000), "whale", revenue: 2m));
        }

        h.Apply([.. events]);
        h.AdvanceAnalytics(T0 + Hour);

        List<PatternMatchRecord> bursts = Matches(h, "purchase_burst");
        Assert.Equal(2, bursts.Count);
        MetricResult counted = new MatchQueries([h.State], h.Store).Count("purchase_burst", T0, T0 + Hour, Min, "1m", 0);
        Assert.Equal(2m, counted.Series[0].Total);
        Assert.Equal([1m, 1m], counted.Series[0].Points!.Where(p => p.Value > 0).Select(p => p.Value));
        Assert.Equal([T0, T0 + (3 * Min)], counted.Series[0].Points!.Where(p => p.Value > 0).Select(p => p.Ts));
        h.Checkpoint();
        Assert.Equal(2m, new MatchQueries([h.State], h.Store).Count("purchase_burst", T0, T0 + Hour, 0, null, 0).Series[0].Total);
        Assert.All(bursts, m => Assert.Equal("whale", m.UserId));
        Assert.Equal([T0 + (3 * Min) + 4000, T0 + 20_000], bursts.Select(m => m.TimeMs));
    }

    [Fact]
    public void Shuffled_purchases_fire_a_few_timers_per_session_not_one_per_millisecond_of_watermark()
    {
        var random = new Random(5);
        string[] lines = [.. Enumerable.Range(0, 2000).Select(_ => random.NextDouble() < 0.3
            ? Event("purchase", T0 + random.NextInt64(2 * Hour), $"u{random.Next(300)}", revenue: 12.5m)
            : Event("page_view", T0 + random.NextInt64(2 * Hour), $"u{random.Next(300)}", page: "/"))];
        using StateHarness h = NewHarness();
        h.Apply(lines);
        h.AdvanceAnalytics(T0 + (5 * Hour));

        // Each session ends once and each user's state expires once; pattern windows add a few more.
        Assert.InRange(h.Analytics.TimersFired, h.Analytics.SessionsEnded, 10 * h.Analytics.SessionsEnded);
        Assert.Equal(0, h.Analytics.ActiveUsers);
    }

    [Fact]
    public void A_restart_in_the_middle_neither_loses_nor_repeats_a_match_and_keeps_the_funnel()
    {
        string[] first =
        [
            Event("page_view", T0, "u1", page: "/product/p1"),
            Event("add_to_cart", T0 + 1000, "u1", product: "p1"),
            Event("page_view", T0 + 2000, "u2", page: "/product/p2"),
            Event("add_to_cart", T0 + 3000, "u2", product: "p2"),
            Event("page_view", T0 + (40 * Min), "u3", page: "/"),
        ];
        string[] second =
        [
            Event("checkout", T0 + (41 * Min), "u3"),
            Event("page_view", T0 + (80 * Min), "u4", page: "/"),
        ];
        using StateHarness reference = NewHarness();
        reference.Apply([.. first, .. second]);

        using StateHarness h = NewHarness();
        h.Apply(first);
        Assert.Equal(2, Matches(h, "cart_abandonment").Count);
        h.Checkpoint();
        h.Apply(second);
        h.Restart(TimeSpan.FromMinutes(15));
        h.Replay();
        h.Checkpoint();

        Assert.Equal(
            Matches(reference, "cart_abandonment").Select(m => (m.UserId, m.TimeMs)),
            Matches(h, "cart_abandonment").Select(m => (m.UserId, m.TimeMs)));
        Assert.Equal(Checkout(reference).Steps.Select(s => s.Sessions), Checkout(h).Steps.Select(s => s.Sessions));
        Assert.Equal([2L, 2L, 0L, 0L], Checkout(h).Steps.Select(s => s.Sessions));
    }

    [Fact]
    public void A_replayed_record_never_produces_a_match_twice_even_when_the_checkpoint_came_after_it()
    {
        using StateHarness h = NewHarness();
        h.Apply(Event("add_to_cart", T0, "u1"), Event("page_view", T0 + (31 * Min), "u2"));
        Assert.Single(Matches(h, "cart_abandonment"));
        h.Checkpoint();
        h.Restart(TimeSpan.FromMinutes(15));
        h.Replay();
        h.Apply(Event("page_view", T0 + (90 * Min), "u3"));
        h.Checkpoint();

        Assert.Single(Matches(h, "cart_abandonment"));
        Assert.Empty(h.Analytics.UnsavedMatches);
    }
}
