using Pulse.Processing;
using Pulse.Processing.Aggregation;
using Pulse.Query;
using Pulse.Store;

namespace Pulse.Tests.Processing;

/// <summary>
/// Checkpoints that carry the 1-second buckets only, between full ones: a restart replays from the
/// last full checkpoint and must give every resolution exactly the answers of a run that never
/// stopped — the seconds already stored are not counted again, the rollups are not missed.
/// </summary>
public sealed class TieredCheckpointTests
{
    private const long Hour = 3_600_000;
    private const long T0 = 1_795_219_200_000 + (5 * Hour);

    [Fact]
    public void Restart_after_seconds_only_checkpoints_counts_every_event_once_at_every_resolution()
    {
        List<string> lines = Workload(seed: 21, count: 4000);
        using var reference = new StateHarness();
        using var crashed = new StateHarness();
        reference.Apply([.. lines]);

        crashed.Apply([.. lines.Take(1000)]);
        crashed.Checkpoint();
        crashed.Apply([.. lines.Skip(1000).Take(1200)]);
        crashed.Checkpoint(includeRollups: false);
        crashed.Apply([.. lines.Skip(2200).Take(900)]);
        crashed.Checkpoint(includeRollups: false);
        crashed.Apply([.. lines.Skip(3100).Take(500)]);

        // Killed here: the last 400 events applied were never checkpointed at all.
        crashed.Restart(TimeSpan.FromMinutes(15));
        StoredCheckpoint stored = crashed.Store.LoadCheckpoint(0)!.Value;
        Assert.Equal(1000, stored.Position.Offset);
        Assert.Equal(3100, stored.SecondsOffset);
        Assert.Equal(1000, crashed.State.Position.Offset);
        crashed.Replay();
        crashed.Apply([.. lines.Skip(3600)]);

        Assert.Equal(Answers(reference), Answers(crashed));
        Assert.Equal(4000m, crashed.Total("events", T0, T0 + Hour));
        Assert.Equal(reference.State.EventsProcessed, crashed.State.EventsProcessed);
    }

    [Fact]
    public void A_full_checkpoint_after_seconds_only_ones_moves_the_replay_base_to_its_position()
    {
        List<string> lines = Workload(seed: 4, count: 1500);
        using var h = new StateHarness();
        h.Apply([.. lines.Take(500)]);
        h.Checkpoint();
        h.Apply([.. lines.Skip(500).Take(500)]);
        CheckpointSnapshotAssert.OnlySeconds(h.Checkpoint(includeRollups: false));
        h.Apply([.. lines.Skip(1000)]);
        h.Checkpoint();

        StoredCheckpoint stored = h.Store.LoadCheckpoint(0)!.Value;
        Assert.Equal(1500, stored.Position.Offset);
        Assert.Equal(1500, stored.SecondsOffset);
        string before = Answers(h);
        h.Restart(TimeSpan.FromMinutes(15));
        h.Replay();
        Assert.Equal(before, Answers(h));
    }

    [Fact]
    public void Seconds_only_checkpoint_leaves_the_rollups_dirty_for_the_next_full_one()
    {
        using var h = new StateHarness();
        h.Apply([.. Workload(seed: 9, count: 300)]);
        h.Checkpoint();
        h.Apply(TestEvents.Event("click", T0 + 7_000, "u1"));

        CheckpointSnapshotAssert.OnlySeconds(h.Checkpoint(includeRollups: false));
        CheckpointSnapshot full = h.Checkpoint();
        Assert.True(full.IncludesRollups);
        Assert.Contains(full.Counts, r => r.Resolution == Resolution.Minute);
        Assert.DoesNotContain(full.Counts, r => r.Resolution == Resolution.Second);
    }

    private static List<string> Workload(int seed, int count)
    {
        var random = new Random(seed);
        var lines = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            // Mostly in order, one in 25 arrives 20–60 s late: late flags must replay identically.
            long ts = T0 + (i * 250) - (i % 25 == 0 ? random.NextInt64(20_000, 60_000) : 0);
            bool purchase = i % 10 == 0;
            lines.Add(TestEvents.Event(purchase ? "purchase" : "page_view", Math.Max(T0, ts), $"u{random.Next(400)}",
                page: $"/p{random.Next(20)}", product: $"p{random.Next(30)}", country: random.Next(2) == 0 ? "DE" : "FR",
                revenue: purchase ? 2.5m : null));
        }

        return lines;
    }

    private static string Answers(StateHarness h) => string.Join(";",
        Describe(h.Run("events", T0, T0 + (20 * 60_000), "1s", "type")),
        Describe(h.Run("events", T0, T0 + Hour, "1m", "type")),
        Describe(h.Run("events", T0, T0 + (2 * Hour), "1h", "type")),
        Describe(h.Run("late_events", T0, T0 + Hour, "1m")),
        Describe(h.Run("revenue", T0, T0 + Hour, "1m", "country")),
        Describe(h.Run("unique_users", T0, T0 + Hour, "5m")),
        Describe(h.Run("page_views", T0, T0 + Hour, null, "page", limit: 5)));

    private static string Describe(MetricResult result) => string.Join("|", result.Series.Select(s =>
        $"{string.Join(',', s.Group.Select(g => $"{g.Key}={g.Value}"))}:{s.Total}:{string.Join(',', (s.Points ?? []).Select(p => $"{p.Ts}={p.Value}"))}"));
}

internal static class CheckpointSnapshotAssert
{
    public static void OnlySeconds(CheckpointSnapshot snapshot)
    {
        Assert.False(snapshot.IncludesRollups);
        Assert.NotEmpty(snapshot.Counts);
        Assert.All(snapshot.Counts, r => Assert.Equal(Resolution.Second, r.Resolution));
        Assert.All(snapshot.Uniques, r => Assert.Equal(Resolution.Second, r.Resolution));
    }
}
