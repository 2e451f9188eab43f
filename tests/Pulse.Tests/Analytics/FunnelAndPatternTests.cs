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

    [Fact]
    public void Events_waiting_for_the_watermark_at_a_checkpoint_are_read_back_from_the_log_on_restart()
    {
        // Dense, disordered traffic: at the checkpoint hundreds of events wait for the watermark, and
        // the users past the cap have events that were dropped rather than queued.
        var random = new Random(11);
        string[] types = ["page_view", "page_view", "click", "add_to_cart", "checkout_start", "purchase"];
        var lines = new List<string>();
        for (int i = 0; i < 6000; i++)
        {
            long at = T0 + (i * 20) + random.Next(4000);
            string type = types[random.Next(types.Length)];
            lines.Add(Event(type, at, $"u{random.Next(40)}", page: $"/p{random.Next(5)}", revenue: type == "purchase" ? 10m : null));
        }

        var options = new AnalyticsOptions { MaxUsersPerPartition = 36 };
        using var reference = new StateHarness(analytics: options);
        reference.Apply([.. lines]);

        using var h = new StateHarness(analytics: options);
        int split = lines.Count / 2;
        h.Apply([.. lines.Take(split)]);
        int waiting = h.Analytics.PendingEvents;
        h.Checkpoint();
        h.Apply([.. lines.Skip(split)]);
        h.Restart(TimeSpan.FromMinutes(15));

        Assert.True(waiting > 100, $"only {waiting} events waited");
        Assert.True(h.Analytics.DroppedEvents > 0);
        Assert.Equal(waiting, h.Analytics.PendingEvents);
        Assert.Equal(0, h.Analytics.UnrecoveredPending);

        h.Replay();
        reference.AdvanceAnalytics(T0 + (3 * Hour));
        h.AdvanceAnalytics(T0 + (3 * Hour));
        Assert.Equal(reference.Analytics.SessionsEnded, h.Analytics.SessionsEnded);
        Assert.Equal(reference.Analytics.DroppedEvents, h.Analytics.DroppedEvents);
        Assert.Equal(reference.Total("sessions", T0, T0 + Hour), h.Total("sessions", T0, T0 + Hour));
        Assert.Equal(reference.Total("pages_per_session", T0, T0 + Hour), h.Total("pages_per_session", T0, T0 + Hour));
        Assert.Equal(Checkout(reference).Steps.Select(s => (s.Sessions, s.Users)), Checkout(h).Steps.Select(s => (s.Sessions, s.Users)));
        foreach (string pattern in new[] { "cart_abandonment", "purchase_burst" })
        {
            Assert.Equal(
                Matches(reference, pattern).Select(m => (m.UserId, m.TimeMs)).Order(),
                Matches(h, pattern).Select(m => (m.UserId, m.TimeMs)).Order());
        }
    }

    [Fact]
    public void Reading_back_waiting_events_skips_a_dropped_event_of_a_user_created_later_and_one_exactly_at_the_watermark()
    {
        const long Sec = 1000;
        string[] lines =
        [
            Event("page_view", T0, "u1"),
            Event("page_view", T0, "u2"),
            // Waits, and is older in the log than everything below: the read-back starts here.
            Event("page_view", T0 + (60 * Min) + (3 * Sec), "u0"),
            // The cap (3 users) is full: u1 and u2 are kept until two gaps after their sessions, so
            // this is dropped, never queued.
            Event("page_view", T0 + (60 * Min) + (2 * Sec), "u3"),
            // Moves the watermark past that: u1 and u2 go, u3 gets state, and this event waits.
            Event("page_view", T0 + (60 * Min) + (6 * Sec), "u3"),
            // Exactly at the watermark: released at once, not waiting.
            Event("click", T0 + (60 * Min) + (1 * Sec), "u3"),
        ];
        var options = new AnalyticsOptions { MaxUsersPerPartition = 3 };
        using var reference = new StateHarness(analytics: options);
        reference.Apply(lines);
        using var h = new StateHarness(analytics: options);
        h.Apply(lines);
        Assert.Equal(1, h.Analytics.DroppedEvents);
        Assert.Equal(2, h.Analytics.PendingEvents);
        h.Checkpoint();
        h.Restart(TimeSpan.FromMinutes(15));

        Assert.Equal(2, h.Analytics.PendingEvents);
        reference.AdvanceAnalytics(T0 + (4 * Hour));
        h.AdvanceAnalytics(T0 + (4 * Hour));
        Assert.Equal(reference.Analytics.SessionsEnded, h.Analytics.SessionsEnded);
        Assert.Equal(reference.Total("pages_per_session", T0, T0 + (2 * Hour)), h.Total("pages_per_session", T0, T0 + (2 * Hour)));
        Assert.Equal(reference.Total("session_duration_seconds", T0, T0 + (2 * Hour)), h.Total("session_duration_seconds", T0, T0 + (2 * Hour)));
    }
}
