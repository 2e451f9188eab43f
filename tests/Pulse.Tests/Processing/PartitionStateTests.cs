using Pulse.Query;

namespace Pulse.Tests.Processing;

public sealed class PartitionStateTests
{
    private const long Hour = 3_600_000;
    private const long T0 = 1_795_219_200_000 + (5 * Hour); // 05:00 UTC: three hours stay within one day

    [Fact]
    public void Rollups_agree_at_every_resolution_with_an_exact_count()
    {
        using var h = new StateHarness();
        var random = new Random(11);
        string[] types = ["page_view", "click", "add_to_cart", "purchase"];
        var events = new List<(long Ts, string Type)>();
        for (int i = 0; i < 3000; i++)
        {
            events.Add((T0 + random.NextInt64(3 * Hour), types[random.Next(types.Length)]));
        }

        events.Sort();
        h.Apply([.. events.Select(e => TestEvents.Event(e.Type, e.Ts, $"u{random.Next(200)}", page: "/p" + random.Next(5)))]);

        // Whole range at 1d (coarsest that aligns), per hour, per minute, per second.
        Assert.Equal(3000m, h.Total("events", T0 - (T0 % 86_400_000), T0 - (T0 % 86_400_000) + 86_400_000));
        MetricResult hours = h.Run("events", T0, T0 + (3 * Hour), "1h", "type");
        Assert.Equal("1h", hours.Resolution);
        foreach (MetricSeries s in hours.Series)
        {
            string type = s.Group["type"]!;
            foreach ((long ts, decimal value) in s.Points!)
            {
                Assert.Equal(events.Count(e => e.Type == type && e.Ts >= ts && e.Ts < ts + Hour), (int)value);
            }
        }

        MetricResult minutes = h.Run("events", T0 + Hour, T0 + Hour + 600_000, "1m");
        Assert.Equal("1m", minutes.Resolution);
        foreach ((long ts, decimal value) in minutes.Series[0].Points!)
        {
            Assert.Equal(events.Count(e => e.Ts >= ts && e.Ts < ts + 60_000), (int)value);
        }

        MetricResult seconds = h.Run("events", T0 + (2 * Hour), T0 + (2 * Hour) + 60_000, "1s", "type");
        Assert.Equal("1s", seconds.Resolution);
        Assert.Equal(events.Count(e => e.Ts >= T0 + (2 * Hour) && e.Ts < T0 + (2 * Hour) + 60_000), (int)seconds.Series.Sum(s => s.Total));
    }

    [Fact]
    public void Late_event_is_corrected_in_its_own_bucket_and_counted_as_late()
    {
        using var h = new StateHarness(TimeSpan.FromSeconds(5));
        for (int s = 0; s <= 20; s++)
        {
            h.Apply(TestEvents.Event("page_view", T0 + (s * 1000), "u1"));
        }

        Assert.Equal(T0 + 15_000, h.State.WatermarkMs);
        h.Apply(TestEvents.Event("page_view", T0 + 1500, "u2"));   // its second ended at T0+2s ≤ watermark: late
        h.Apply(TestEvents.Event("click", T0 + 18_000, "u3"));     // ends at T0+19s > watermark: on time

        Assert.Equal(2m, h.Total("events", T0 + 1000, T0 + 2000));
        Assert.Equal(1m, h.Total("late_events", T0, T0 + 60_000));
        Assert.Equal(1m, h.Total("late_events", T0, T0 + 60_000, ("type", "page_view")));
        Assert.Equal(0m, h.Total("late_events", T0, T0 + 60_000, ("type", "click")));
        Assert.Equal(23m, h.Total("events", T0, T0 + 60_000));
        Assert.Equal(3m, h.Total("unique_users", T0, T0 + 60_000));
    }

    [Fact]
    public void Late_event_for_an_evicted_bucket_updates_the_stored_value_exactly_once()
    {
        using var h = new StateHarness();
        for (int i = 0; i < 5; i++)
        {
            h.Apply(TestEvents.Event("purchase", T0 + (i * 1000), $"u{i}", product: "p1", revenue: 10.5m));
        }

        h.Checkpoint();
        h.Apply(TestEvents.Event("page_view", T0 + (3 * Hour), "u9"));   // moves event time 3 h on
        h.Checkpoint();
        Assert.True(h.Evict(TimeSpan.FromMinutes(10)) > 0);
        Assert.True(h.State.LoadedFrom(Pulse.Processing.Aggregation.Resolution.Minute) > T0);

        // From the store alone now.
        Assert.Equal(52.5m, h.Total("revenue", T0, T0 + 60_000));

        h.Apply(TestEvents.Event("purchase", T0 + 2000, "u7", product: "p1", revenue: 1.25m));
        // Memory holds the reloaded cell with the late event; the store still has the old value: memory wins.
        Assert.Equal(53.75m, h.Total("revenue", T0, T0 + 60_000));
        Assert.Equal(6m, h.Total("orders", T0, T0 + 60_000, ("product_id", "p1")));
        Assert.Equal(6m, h.Total("unique_users", T0, T0 + 60_000));

        h.Checkpoint();
        h.Evict(TimeSpan.FromMinutes(10));
        Assert.Equal(53.75m, h.Total("revenue", T0, T0 + 60_000));
        Assert.Equal(6m, h.Total("events", T0, T0 + Hour));
        Assert.Equal(1m, h.Total("late_events", T0, T0 + Hour));
    }

    [Fact]
    public void Checkpoint_and_restore_give_identical_answers_and_continue_without_double_counting()
    {
        using var h = new StateHarness();
        var random = new Random(5);
        var lines = new List<string>();
        for (int i = 0; i < 2000; i++)
        {
            lines.Add(TestEvents.Event(i % 10 == 0 ? "purchase" : "page_view", T0 + (i * 500), $"u{random.Next(300)}",
                page: $"/p{random.Next(20)}", product: $"p{random.Next(30)}", country: random.Next(2) == 0 ? "DE" : "FR", revenue: i % 10 == 0 ? 3.33m : null));
        }

        h.Apply([.. lines.Take(1500)]);
        h.Checkpoint();
        string Answers() => string.Join(";",
            h.Run("events", T0, T0 + Hour, "1m", "type").Series.Select(s => $"{s.Group["type"]}={s.Total}:{string.Join(',', s.Points!.Select(p => p.Value))}"),
            h.Run("revenue", T0, T0 + Hour, null, "country").Series.Select(s => $"{s.Group["country"]}={s.Total}"),
            h.Run("unique_users", T0, T0 + Hour, "5m").Series.Select(s => $"{s.Total}:{string.Join(',', s.Points!.Select(p => p.Value))}"),
            h.Run("page_views", T0, T0 + Hour, null, "page", limit: 5).Series.Select(s => $"{s.Group["page"]}={s.Total}"));
        string before = Answers();

        h.Restart(TimeSpan.FromMinutes(15));
        Assert.Equal(1500, h.State.Position.Offset);
        Assert.Equal(before, Answers());

        // Replay continues from the checkpointed position: the rest is added once.
        h.Apply([.. lines.Skip(1500)]);
        Assert.Equal(2000m, h.Total("events", T0, T0 + Hour));
        Assert.Equal(200 * 3.33m, h.Total("revenue", T0, T0 + Hour));
    }
}
