using Pulse.Analytics.Patterns;
using static Pulse.Tests.Analytics.Patterns.PatternHarness;

namespace Pulse.Tests.Analytics.Patterns;

public class CartAbandonmentTests
{
    private const int Cart = 0;
    private const int Purchase = 1;

    private static PatternHarness Abandonment() => For(BuiltInPatterns.CartAbandonment);

    [Fact]
    public void Fires_once_when_the_watermark_reaches_thirty_minutes_after_the_add()
    {
        PatternHarness h = Abandonment();
        h.Event(0, 0, Cart);
        h.Event(5 * Min, 0);
        h.Watermark((30 * Min) - 1);
        Assert.Empty(h.Matches);
        h.Watermark(30 * Min);
        h.Watermark(40 * Min);
        PatternMatch m = Assert.Single(h.Matches);
        Assert.Equal(T0 + (30 * Min), m.TimeMs);
        Assert.Equal(T0, m.FirstTimeMs);
        Assert.Equal(T0, m.SessionStartMs);
        Assert.Equal((1, 0L, 7, 9), (m.EventCount, m.FirstOffset, m.Page, m.Product));
        Assert.True(h.Matcher.IsIdle(h.State, T0 + (40 * Min)));
    }

    [Fact]
    public void A_purchase_at_29_minutes_cancels_it()
    {
        PatternHarness h = Abandonment();
        h.Event(0, 0, Cart);
        h.Event(29 * Min, 0, Purchase);
        h.Watermark(120 * Min);
        Assert.Empty(h.Matches);
    }

    [Fact]
    public void A_purchase_at_exactly_30_minutes_cancels_it_and_at_31_does_not()
    {
        PatternHarness h = Abandonment();
        h.Event(0, 0, Cart);
        h.Event(30 * Min, 0, Purchase);
        h.Watermark(120 * Min);
        Assert.Empty(h.Matches);

        h = Abandonment();
        h.Event(0, 0, Cart);
        h.Event(31 * Min, 0, Purchase);
        Assert.Equal([30 * Min], h.Times());
        h.Watermark(120 * Min);
        Assert.Single(h.Matches);
    }

    [Fact]
    public void A_purchase_in_another_session_does_not_cancel_it_and_the_session_end_fires_it()
    {
        PatternHarness h = Abandonment();
        h.Event(0, 0, Cart);
        h.Event(10 * Min, 10 * Min, Purchase);
        Assert.Equal([10 * Min], h.Times());
        h.Watermark(120 * Min);
        Assert.Single(h.Matches);
    }

    [Fact]
    public void OnSessionEnd_fires_it_at_the_session_end_once()
    {
        PatternHarness h = Abandonment();
        h.Event(0, 0, Cart);
        h.Event(2 * Min, 0);
        h.SessionEnd(0, 5 * Min);
        h.SessionEnd(0, 5 * Min);
        h.Watermark(60 * Min);
        h.Event(61 * Min, 61 * Min, Purchase);
        Assert.Equal([5 * Min], h.Times());
    }

    [Fact]
    public void Repeated_adds_while_pending_are_one_abandonment_and_a_later_add_is_another()
    {
        PatternHarness h = Abandonment();
        h.Event(0, 0, Cart);
        h.Event(10 * Min, 0, Cart);
        h.Event(20 * Min, 0, Cart);
        h.Watermark(30 * Min);
        h.Event(45 * Min, 0, Cart);
        h.Watermark(75 * Min);
        Assert.Equal([30 * Min, 75 * Min], h.Times());
        Assert.Equal([3, 1], h.Matches.ConvertAll(m => m.EventCount));
        Assert.Equal(3_000_000, h.Matches[0].RevenueMicros);
    }

    [Fact]
    public void With_user_scope_a_purchase_in_another_session_cancels_it()
    {
        PatternHarness h = For("""{"kind": "absence", "first": {"type": "add_to_cart"}, "absent": {"type": "purchase"}, "within": "30m"}""");
        h.Event(0, 0, Cart);
        h.Event(10 * Min, 10 * Min, Purchase);
        h.SessionEnd(0, 5 * Min);
        h.Watermark(120 * Min);
        Assert.Empty(h.Matches);
    }

    [Fact]
    public void An_event_that_is_both_first_and_absent_cancels_the_pending_one_and_opens_the_next()
    {
        PatternHarness h = For("""{"kind": "absence", "first": {"type": "page_view"}, "absent": {"type": "page_view"}, "within": "10m"}""");
        h.Event(0, 0, 0, 1);
        h.Event(4 * Min, 0, 0, 1);
        h.Event(9 * Min, 0, 0, 1);
        h.Watermark(30 * Min);
        PatternMatch exit = Assert.Single(h.Matches);
        Assert.Equal((T0 + (19 * Min), T0 + (9 * Min)), (exit.TimeMs, exit.FirstTimeMs));
    }
}

public class PurchaseBurstTests
{
    private static PatternHarness Burst(int purchases, long spacingMs, long startMs = 0, PatternHarness? h = null)
    {
        h ??= For(BuiltInPatterns.PurchaseBurst);
        for (int i = 0; i < purchases; i++)
        {
            h.Event(startMs + (i * spacingMs), 0, 0);
        }

        return h;
    }

    [Fact]
    public void Four_purchases_in_a_minute_do_not_fire() => Assert.Empty(Burst(4, 1000).Matches);

    [Fact]
    public void Five_fire_once_at_the_fifth()
    {
        PatternHarness h = Burst(5, 15_000);
        PatternMatch m = Assert.Single(h.Matches);
        Assert.Equal((T0 + 60_000, T0, 5, 5_000_000L, 0L, 4L), (m.TimeMs, m.FirstTimeMs, m.EventCount, m.RevenueMicros, m.FirstOffset, m.LastOffset));
    }

    [Fact]
    public void Five_spread_over_more_than_a_minute_do_not_fire() => Assert.Empty(Burst(5, 15_001).Matches);

    [Fact]
    public void Seven_in_a_minute_fire_once() => Assert.Single(Burst(7, 5000).Matches);

    [Fact]
    public void Two_bursts_two_minutes_apart_fire_twice()
    {
        PatternHarness h = Burst(6, 1000);
        Burst(6, 1000, 2 * Min, h);
        Assert.Equal([4000, (2 * Min) + 4000], h.Times());
    }

    [Fact]
    public void Re_arms_only_once_the_window_moved_past_the_matched_events()
    {
        PatternHarness h = Burst(70, 1000);
        Assert.Equal([4000, 65_000], h.Times());
    }

    [Fact]
    public void Other_events_do_not_count()
    {
        PatternHarness h = For(BuiltInPatterns.PurchaseBurst);
        for (int i = 0; i < 10; i++)
        {
            h.Event(i * 1000, 0);
        }

        Burst(4, 1000, 10_000, h);
        Assert.Empty(h.Matches);
    }

    [Fact]
    public void With_session_scope_a_new_session_starts_the_count_over()
    {
        PatternHarness h = For("""{"kind": "count", "event": {"type": "purchase"}, "at_least": 3, "within": "1h", "scope": "session"}""");
        h.Event(0, 0, 0);
        h.Event(1000, 0, 0);
        h.Event(2000, 2000, 0);
        h.Event(3000, 2000, 0);
        Assert.Empty(h.Matches);
        h.Event(4000, 2000, 0);
        Assert.Equal([4000], h.Times());
    }
}

public class SequenceTests
{
    private const string Checkout =
        """{"kind": "sequence", "steps": [{"type": "page_view"}, {"type": "add_to_cart"}, {"type": "checkout"}], "within": "10m", "scope": "session"}""";

    [Fact]
    public void Steps_in_order_with_other_events_between_match_once()
    {
        PatternHarness h = For(Checkout);
        h.Event(0, 0, 0);
        h.Event(1 * Min, 0);
        h.Event(2 * Min, 0, 1);
        h.Event(3 * Min, 0, 0);
        h.Event(4 * Min, 0, 2);
        h.Event(5 * Min, 0, 2);
        PatternMatch m = Assert.Single(h.Matches);
        Assert.Equal((T0 + (4 * Min), T0, 3), (m.TimeMs, m.FirstTimeMs, m.EventCount));
    }

    [Fact]
    public void Exceeding_the_time_limit_does_not_match()
    {
        PatternHarness h = For(Checkout);
        h.Event(0, 0, 0);
        h.Event(2 * Min, 0, 1);
        h.Event((10 * Min) + 1, 0, 2);
        Assert.Empty(h.Matches);
    }

    [Fact]
    public void The_latest_start_wins_so_a_late_first_step_still_completes()
    {
        PatternHarness h = For(Checkout);
        h.Event(0, 0, 0);
        h.Event(6 * Min, 0, 0);
        h.Event(12 * Min, 0, 1);
        h.Event(14 * Min, 0, 2);
        PatternMatch m = Assert.Single(h.Matches);
        Assert.Equal(T0 + (6 * Min), m.FirstTimeMs);
    }

    [Fact]
    public void Steps_out_of_order_do_not_match()
    {
        PatternHarness h = For(Checkout);
        h.Event(0, 0, 1);
        h.Event(1 * Min, 0, 0);
        h.Event(2 * Min, 0, 2);
        Assert.Empty(h.Matches);
    }

    [Fact]
    public void Session_scope_breaks_at_a_new_session_and_user_scope_does_not()
    {
        foreach ((string scope, int expected) in new[] { ("session", 0), ("user", 1) })
        {
            PatternHarness h = For(Checkout.Replace("\"session\"", $"\"{scope}\"", StringComparison.Ordinal));
            h.Event(0, 0, 0);
            h.Event(1 * Min, 0, 1);
            h.Event(2 * Min, 2 * Min, 2);
            Assert.Equal(expected, h.Matches.Count);
        }
    }

    [Fact]
    public void One_event_advances_a_match_by_one_step()
    {
        PatternHarness h = For("""{"kind": "sequence", "steps": [{"type": "a"}, {"type": "b"}, {"type": "b"}], "within": "1h"}""");
        h.Event(0, 0, 0);
        h.Event(1000, 0, 1, 2);
        Assert.Empty(h.Matches);
        h.Event(2000, 0, 1, 2);
        Assert.Single(h.Matches);
    }

    [Fact]
    public void Idle_once_no_partial_match_can_complete()
    {
        PatternHarness h = For(Checkout);
        Assert.True(h.Matcher.IsIdle(h.State, T0));
        h.Event(0, 0, 0);
        Assert.False(h.Matcher.IsIdle(h.State, T0 + (10 * Min)));
        Assert.True(h.Matcher.IsIdle(h.State, T0 + (10 * Min) + 1));
    }
}

public class ReplayTests
{
    [Fact]
    public void An_event_applied_again_is_ignored()
    {
        PatternHarness h = For(BuiltInPatterns.PurchaseBurst);
        var e = new Pulse.Analytics.UserEvent(T0, 5, Pulse.Events.EventKind.Purchase, 1, 0, 0, 0, 0, 0, 1, T0);
        for (int i = 0; i < 5; i++)
        {
            h.Matcher.OnEvent(h.State, e with { TimeMs = T0 + i, Offset = 10 + i }, h.Matches);
        }

        for (int i = 0; i < 5; i++)
        {
            h.Matcher.OnEvent(h.State, e with { TimeMs = T0 + i, Offset = 10 + i }, h.Matches);
        }

        Assert.Single(h.Matches);
    }
}
