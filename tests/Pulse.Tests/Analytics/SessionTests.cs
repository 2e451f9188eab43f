using Pulse.Analytics;
using Pulse.Query;
using Pulse.Tests.Processing;
using static Pulse.Tests.Processing.TestEvents;

namespace Pulse.Tests.Analytics;

/// <summary>Sessions in event time, through a real partition state and store: hand-built sequences, a restart, and a seeded workload against an exact computation.</summary>
public sealed class SessionTests
{
    private const long Min = 60_000;
    private const long Hour = 60 * Min;
    private const long T0 = 1_795_219_200_000 + (5 * Hour);

    private static StateHarness NewHarness() => new(analytics: new AnalyticsOptions());

    [Fact]
    public void A_gap_of_more_than_30_minutes_starts_a_new_session_and_a_single_page_view_is_a_bounce()
    {
        using StateHarness h = NewHarness();
        h.Apply(
            Event("page_view", T0, "u1", page: "/", country: "DE"),
            Event("page_view", T0 + (2 * Min), "u1", page: "/product/1", country: "DE"),
            Event("page_view", T0 + (10 * Min), "u1", page: "/cart", country: "DE"),
            Event("page_view", T0 + (41 * Min), "u1", page: "/", country: "DE"));
        h.AdvanceAnalytics(T0 + (3 * Hour));

        Assert.Equal(2m, h.Total("sessions", T0, T0 + Hour));
        Assert.Equal(0.5m, h.Total("bounce_rate", T0, T0 + Hour));
        Assert.Equal(600m, Math.Round(h.Run("session_duration_seconds", T0, T0 + Hour, stat: "max").Series[0].Total));
        Assert.Equal(0m, h.Run("session_duration_seconds", T0, T0 + Hour, stat: "min").Series[0].Total);
        Assert.Equal(2m, h.Run("pages_per_session", T0, T0 + Hour, stat: "avg").Series[0].Total);
        Assert.Equal("/", h.Run("entry_pages", T0, T0 + Hour, groupBy: "page").Series[0].Group["page"]);
        Assert.Equal(2m, h.Run("entry_pages", T0, T0 + Hour, groupBy: "page").Series[0].Total);
        var exits = h.Run("exit_pages", T0, T0 + Hour, groupBy: "page").Series.ToDictionary(s => s.Group["page"]!, s => s.Total);
        Assert.Equal(1m, exits["/cart"]);
        Assert.Equal(1m, exits["/"]);
    }

    [Fact]
    public void A_session_is_counted_when_it_starts_and_its_duration_only_once_it_has_ended()
    {
        using StateHarness h = NewHarness();
        h.Apply(Event("page_view", T0, "u1"), Event("click", T0 + Min, "u1"), Event("page_view", T0 + (20 * Min), "u2"));

        // u2's event waits for the watermark (max event time − 5 s of allowed lateness) until a later one comes.
        Assert.Equal(1m, h.Total("sessions", T0, T0 + Hour));
        h.Apply(Event("page_view", T0 + (21 * Min), "u3"));
        Assert.Equal(2m, h.Total("sessions", T0, T0 + Hour));
        Assert.Equal(0m, h.Run("session_duration_seconds", T0, T0 + Hour, stat: "max").Series[0].Total);

        h.AdvanceAnalytics(T0 + Min + (30 * Min));
        Assert.Equal(60m, Math.Round(h.Run("session_duration_seconds", T0, T0 + Hour, stat: "max").Series[0].Total));
        Assert.Equal(1m, h.Total("bounce_rate", T0, T0 + Hour));
    }

    [Fact]
    public void Out_of_order_arrival_within_the_allowed_lateness_gives_the_same_sessions_as_event_order()
    {
        string[] ordered =
        [
            Event("page_view", T0, "u1", page: "/a"),
            Event("page_view", T0 + 1000, "u1", page: "/b"),
            Event("page_view", T0 + 2000, "u1", page: "/c"),
            Event("page_view", T0 + 3000, "u2", page: "/a"),
        ];
        using StateHarness inOrder = NewHarness();
        using StateHarness shuffled = NewHarness();
        inOrder.Apply(ordered);
        shuffled.Apply(ordered[2], ordered[0], ordered[3], ordered[1]);
        inOrder.AdvanceAnalytics(T0 + Hour);
        shuffled.AdvanceAnalytics(T0 + Hour);

        foreach (string metric in new[] { "entry_pages", "exit_pages" })
        {
            Assert.Equal(
                inOrder.Run(metric, T0, T0 + Hour, groupBy: "page").Series.Select(s => (s.Group["page"], s.Total)),
                shuffled.Run(metric, T0, T0 + Hour, groupBy: "page").Series.Select(s => (s.Group["page"], s.Total)));
        }

        Assert.Equal(2m, shuffled.Run("exit_pages", T0, T0 + Hour, groupBy: "page").Series.Sum(s => s.Total));
        Assert.Equal("/a", shuffled.Run("entry_pages", T0, T0 + Hour, groupBy: "page").Series[0].Group["page"]);
        Assert.Equal(0, shuffled.Analytics.LateEvents);
    }

    [Fact]
    public void Session_start_session_end_and_a_new_session_id_are_honoured()
    {
        using StateHarness h = NewHarness();
        h.Apply(
            Event("session_start", T0, "u1"),
            Event("page_view", T0 + 1000, "u1"),
            Event("session_end", T0 + 2000, "u1"),
            Event("page_view", T0 + 3000, "u1"),
            Event("session_start", T0 + 4000, "u1"),
            $$"""{"type":"page_view","timestamp":{{T0 + 5000}},"user_id":"u2","session_id":"a"}""",
            $$"""{"type":"page_view","timestamp":{{T0 + 6000}},"user_id":"u2","session_id":"b"}""");
        h.AdvanceAnalytics(T0 + Hour);

        // u1: [start, view, end], [view], [start]; u2: a, b. All but u1's last have one page view.
        Assert.Equal(5m, h.Total("sessions", T0, T0 + Hour));
        Assert.Equal(5, h.Analytics.SessionsEnded);
        Assert.Equal(0.8m, h.Total("bounce_rate", T0, T0 + Hour));
    }

    [Fact]
    public void An_event_that_belongs_to_an_already_ended_session_is_counted_late_and_changes_nothing()
    {
        using StateHarness h = NewHarness();
        h.Apply(Event("page_view", T0, "u1"), Event("page_view", T0 + (45 * Min), "u2"));
        h.Apply(Event("page_view", T0 + Min, "u1"));

        h.AdvanceAnalytics(T0 + (4 * Hour));
        Assert.Equal(1, h.Analytics.LateEvents);
        Assert.Equal(1m, h.Total("sessions", T0, T0 + (30 * Min)));
        Assert.Equal(1m, h.Total("bounce_rate", T0, T0 + (30 * Min)));
    }

    [Fact]
    public void Restart_from_a_checkpoint_in_the_middle_gives_the_answers_of_an_uninterrupted_run()
    {
        List<string> lines = SessionWorkload.Generate(seed: 7, users: 60, T0, span: 3 * Hour).Lines;
        using StateHarness reference = NewHarness();
        using StateHarness crashed = NewHarness();
        reference.Apply([.. lines]);

        crashed.Apply([.. lines.Take(lines.Count / 3)]);
        crashed.Checkpoint();
        crashed.Apply([.. lines.Skip(lines.Count / 3).Take(lines.Count / 3)]);
        crashed.Restart(TimeSpan.FromMinutes(15));
        crashed.Replay();
        crashed.Apply([.. lines.Skip(2 * (lines.Count / 3))]);

        reference.AdvanceAnalytics(T0 + (5 * Hour));
        crashed.AdvanceAnalytics(T0 + (5 * Hour));
        foreach (string metric in new[] { "sessions", "bounce_rate", "session_duration_seconds", "pages_per_session" })
        {
            Assert.Equal(Series(reference, metric), Series(crashed, metric));
        }

        Assert.Equal(reference.Analytics.SessionsEnded, crashed.Analytics.SessionsEnded);
        Assert.True(reference.Analytics.SessionsEnded > 60);
    }

    [Fact]
    public void A_seeded_workload_matches_an_exact_sessionization_computed_independently()
    {
        SessionWorkload workload = SessionWorkload.Generate(seed: 42, users: 300, T0, span: 4 * Hour);
        using StateHarness h = NewHarness();
        h.Apply([.. workload.Lines]);
        h.AdvanceAnalytics(T0 + (6 * Hour));

        List<ExactSession> exact = workload.ExactSessions(gapMs: 30 * Min);
        Assert.Equal(0, h.Analytics.LateEvents);
        Assert.Equal(exact.Count, (int)h.Total("sessions", T0, T0 + (5 * Hour)));
        decimal bounces = exact.Count(s => s.PageViews == 1);
        Assert.Equal(Math.Round(bounces / exact.Count, 6), h.Total("bounce_rate", T0, T0 + (5 * Hour)));

        // Per hour of session start too: attribution to the start bucket is exact.
        foreach (IGrouping<long, ExactSession> hour in exact.GroupBy(s => s.StartMs - (s.StartMs % Hour)))
        {
            Assert.Equal(hour.Count(), (int)h.Total("sessions", hour.Key, hour.Key + Hour));
        }

        // DDSketch: every quantile within 1% of a value at that rank (±1 rank for the rank convention).
        double[] durations = [.. exact.Select(s => s.DurationSeconds).Where(d => d > 0).Order()];
        foreach ((string stat, double q) in new[] { ("p50", 0.5), ("p90", 0.9), ("p99", 0.99) })
        {
            double got = (double)h.Run("session_duration_seconds", T0, T0 + (5 * Hour), stat: stat).Series[0].Total;
            double[] all = [.. exact.Select(s => s.DurationSeconds).Order()];
            int rank = (int)(q * (all.Length - 1));
            double low = all[Math.Max(0, rank - 1)] * 0.99, high = all[Math.Min(all.Length - 1, rank + 1)] * 1.01;
            Assert.InRange(got, low - 0.001, high + 0.001);
        }

        Assert.NotEmpty(durations);
        double avgPages = exact.Average(s => s.PageViews);
        Assert.Equal(avgPages, (double)h.Run("pages_per_session", T0, T0 + (5 * Hour), stat: "avg").Series[0].Total, 2);
    }

    private static List<(long, decimal)> Series(StateHarness h, string metric) =>
        [.. h.Run(metric, T0, T0 + (5 * Hour), step: "1h", stat: MetricCatalog.Find(metric)!.Kind == MetricKind.Distribution ? "p90" : null).Series[0].Points!];
}
