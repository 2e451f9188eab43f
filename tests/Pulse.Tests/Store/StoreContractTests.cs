using System.Globalization;
using System.Text;
using Pulse.Analytics;
using Pulse.Log;
using Pulse.Processing;
using Pulse.Processing.Aggregation;
using Pulse.Processing.State;
using Pulse.Query;
using Pulse.Store;
using Pulse.Tests.Processing;
using static Pulse.Tests.Processing.TestEvents;

namespace Pulse.Tests.Store;

/// <summary>
/// What every store must do, run against each of them (<see cref="SqliteStoreContractTests"/>,
/// <see cref="PostgresStoreContractTests"/>): checkpoints and the offsets in them, the scans queries
/// make, retention, the dictionary, definitions and anomalies. Each test gets an empty store.
/// </summary>
public abstract class StoreContractTests : IDisposable
{
    protected const long Hour = 3_600_000;
    protected const long T0 = 1_795_219_200_000 + (5 * Hour);

    /// <summary>Opens the test's store: again and again on the same data, as a restart would.</summary>
    protected abstract IRollupStore OpenStore();

    public virtual void Dispose() => GC.SuppressFinalize(this);

    [Fact]
    public void A_checkpoint_reads_back_from_a_reopened_store_cells_sketches_dictionary_and_offsets()
    {
        var sketch = new HyperLogLog();
        for (ulong u = 1; u <= 300; u++)
        {
            sketch.Add(u * 0x9E3779B97F4A7C15);
        }

        using (IRollupStore store = OpenStore())
        {
            CheckpointSnapshot snapshot = Snapshot(partition: 2, offset: 40, full: true,
                Count(Resolution.Second, T0, type: 1, count: 5, revenue: 1_500_000),
                Count(Resolution.Minute, T0, type: 1, count: 7, revenue: 2_000_000, late: 1));
            AddUnique(snapshot, Resolution.Minute, T0, new CellKey(Dimension.None, 0, 0, 0, 0, 0), sketch);
            store.WriteCheckpoint([snapshot], [(1, "page_view"u8.ToArray()), (2, "/home"u8.ToArray())], nowMs: 1234);
            // A seconds-only checkpoint later moves only the offset the 1-second rows reach.
            store.WriteCheckpoint([Snapshot(partition: 2, offset: 55, full: false, Count(Resolution.Second, T0 + 1000, type: 1, count: 2))], [], nowMs: 2345);
        }

        using IRollupStore reopened = OpenStore();
        StoredCheckpoint checkpoint = reopened.LoadCheckpoint(2)!.Value;
        Assert.Equal(new LogPosition(40, 0, 400), checkpoint.Position);
        Assert.Equal(55, checkpoint.SecondsOffset);
        Assert.Equal(T0 + 999, checkpoint.MaxEventTimeMs);
        Assert.Equal(40, checkpoint.EventsProcessed);
        Assert.Equal(2345, checkpoint.UpdatedMs);
        Assert.Null(reopened.LoadCheckpoint(3));

        var dictionary = new DimensionDictionary();
        reopened.LoadDictionary(dictionary);
        Assert.Equal("page_view", dictionary.GetString(1));
        Assert.Equal("/home", dictionary.GetString(2));

        Assert.Equal([(T0, 5L, 1_500_000L, 0L), (T0 + 1000, 2L, 0L, 0L)],
            reopened.ScanCounts(Filter(Resolution.Second, Dimension.Type, T0, T0 + Hour)).OrderBy(r => r.Bucket).Select(r => (r.Bucket, r.Count, r.RevenueMicros, r.Late)));
        Assert.True(reopened.TryLoadCount(2, Resolution.Minute, T0, new CellKey(Dimension.Type, 1, 0, 0, 0, 0), out CountCell minute));
        Assert.Equal((7L, 2_000_000L, 1L), (minute.Count, minute.RevenueMicros, minute.Late));
        Assert.False(reopened.TryLoadCount(1, Resolution.Minute, T0, new CellKey(Dimension.Type, 1, 0, 0, 0, 0), out _));
        Assert.Equal(sketch.Estimate(), reopened.TryLoadUnique(2, Resolution.Minute, T0, new CellKey(Dimension.None, 0, 0, 0, 0, 0))!.Estimate());
        StoredUnique stored = Assert.Single(reopened.ScanUniques(Filter(Resolution.Minute, Dimension.None, T0, T0 + 60_000)));
        Assert.Equal((2, T0), (stored.Partition, stored.Bucket));
        Assert.Equal(sketch.Estimate(), HyperLogLog.Deserialize(stored.Sketch).Estimate());
    }

    [Fact]
    public void Stored_events_sum_a_partition_day_rows_of_the_type_cuboid_and_a_reset_clears_only_that_partition()
    {
        long day = T0 - (T0 % (24 * Hour));
        using (IRollupStore store = OpenStore())
        {
            store.WriteCheckpoint(
            [
                Snapshot(partition: 0, offset: 12, full: true,
                    Count(Resolution.Day, day, type: 1, count: 7), Count(Resolution.Day, day, type: 2, count: 5),
                    Count(Resolution.Hour, T0, type: 1, count: 7), Count(Resolution.Minute, T0, type: 1, count: 7)),
                Snapshot(partition: 1, offset: 3, full: true, Count(Resolution.Day, day, type: 1, count: 3)),
            ], [(1, "page_view"u8.ToArray()), (2, "purchase"u8.ToArray())], nowMs: 1);
            Assert.Equal(12, store.StoredEvents(0));
            Assert.Equal(3, store.StoredEvents(1));
            Assert.Equal(0, store.StoredEvents(2));

            store.ResetPartition(0);
        }

        using IRollupStore reopened = OpenStore();
        Assert.Equal(0, reopened.StoredEvents(0));
        Assert.Null(reopened.LoadCheckpoint(0));
        Assert.False(reopened.TryLoadCount(0, Resolution.Minute, T0, new CellKey(Dimension.Type, 1, 0, 0, 0, 0), out _));
        Assert.Equal(3, reopened.StoredEvents(1));
        Assert.Equal(3, reopened.LoadCheckpoint(1)!.Value.EventsProcessed);
        var dictionary = new DimensionDictionary();
        reopened.LoadDictionary(dictionary);
        Assert.Equal("purchase", dictionary.GetString(2));
    }

    [Fact]
    public void A_checkpoint_that_fails_part_way_commits_none_of_its_rows_offsets_or_dictionary_entries()
    {
        using (IRollupStore store = OpenStore())
        {
            // Partition 0's rows and offsets are written first; partition 1 then fails (a
            // seconds-only checkpoint with no full one before it), inside the same transaction.
            CheckpointSnapshot fine = Snapshot(partition: 0, offset: 10, full: true, Count(Resolution.Minute, T0, type: 1, count: 3));
            CheckpointSnapshot failing = Snapshot(partition: 1, offset: 20, full: false, Count(Resolution.Second, T0, type: 1, count: 4));
            Assert.Throws<InvalidOperationException>(() => store.WriteCheckpoint([fine, failing], [(1, "click"u8.ToArray())], nowMs: 1));

            // The same store goes on working: the retry without the bad snapshot commits.
            store.WriteCheckpoint([Snapshot(partition: 0, offset: 12, full: true, Count(Resolution.Minute, T0, type: 1, count: 6))], [], nowMs: 2);
        }

        using IRollupStore reopened = OpenStore();
        Assert.Equal(12, reopened.LoadCheckpoint(0)!.Value.Position.Offset);
        Assert.Null(reopened.LoadCheckpoint(1));
        Assert.Equal([6L], reopened.ScanCounts(Filter(Resolution.Minute, Dimension.Type, T0, T0 + Hour)).Select(r => r.Count));
        Assert.Empty(reopened.ScanCounts(Filter(Resolution.Second, Dimension.Type, T0, T0 + Hour)));
        var dictionary = new DimensionDictionary();
        reopened.LoadDictionary(dictionary);
        Assert.Equal(0, dictionary.Count);
    }

    [Fact]
    public void Scans_filter_by_resolution_cuboid_range_and_dimension_and_rewrites_replace_absolute_values()
    {
        using IRollupStore store = OpenStore();
        store.WriteCheckpoint([Snapshot(partition: 0, offset: 5, full: true,
            Count(Resolution.Minute, T0, type: 1, count: 1),
            Count(Resolution.Minute, T0 + 60_000, type: 1, count: 2),
            Count(Resolution.Minute, T0 + 120_000, type: 2, count: 3),
            Count(Resolution.Hour, T0, type: 1, count: 100),
            new CountRow(Resolution.Minute, T0, new CellKey(Dimension.Type | Dimension.Country, 1, 0, 0, 7, 0), 9, 0, 0))], [], nowMs: 1);
        store.WriteCheckpoint([Snapshot(partition: 1, offset: 5, full: true, Count(Resolution.Minute, T0, type: 1, count: 40))], [], nowMs: 1);
        // The next checkpoint of partition 0 carries the cell's new absolute value.
        store.WriteCheckpoint([Snapshot(partition: 0, offset: 8, full: true, Count(Resolution.Minute, T0 + 60_000, type: 1, count: 5))], [], nowMs: 2);

        Assert.Equal([(0, T0, 1L), (1, T0, 40L), (0, T0 + 60_000, 5L)],
            store.ScanCounts(Filter(Resolution.Minute, Dimension.Type, T0, T0 + 120_000, (Dimension.Type, 1)))
                .OrderBy(r => r.Bucket).ThenBy(r => r.Partition).Select(r => (r.Partition, r.Bucket, r.Count)));
        Assert.Equal(3, store.ScanCounts(Filter(Resolution.Minute, Dimension.Type, T0, T0 + Hour)).Count(r => r.Partition == 0));
        StoredCount split = Assert.Single(store.ScanCounts(Filter(Resolution.Minute, Dimension.Type | Dimension.Country, T0, T0 + Hour, (Dimension.Country, 7))));
        Assert.Equal((1, 7, 9L), (split.Key.Type, split.Key.Country, split.Count));
        Assert.Empty(store.ScanCounts(Filter(Resolution.Minute, Dimension.Type | Dimension.Country, T0, T0 + Hour, (Dimension.Country, 8))));
        Assert.Equal([100L], store.ScanCounts(Filter(Resolution.Hour, Dimension.Type, T0, T0 + Hour)).Select(r => r.Count));
    }

    [Fact]
    public void Replacing_rollups_over_a_range_rewrites_only_the_partition_buckets_wholly_inside_it()
    {
        using IRollupStore store = OpenStore();
        store.WriteCheckpoint([Snapshot(partition: 0, offset: 5, full: true,
            Count(Resolution.Minute, T0, type: 1, count: 1),
            Count(Resolution.Minute, T0 + 60_000, type: 1, count: 2),
            Count(Resolution.Minute, T0 + 120_000, type: 1, count: 3),
            Count(Resolution.Hour, T0, type: 1, count: 6))], [], nowMs: 1);
        store.WriteCheckpoint([Snapshot(partition: 1, offset: 5, full: true, Count(Resolution.Minute, T0, type: 1, count: 40))], [], nowMs: 1);

        // Recomputed [T0, T0 + 2 min) of partition 0: its minute T0 no longer has rows, T0 + 1 min has 9;
        // the hour is not wholly inside the range, so its recomputed row is not written.
        CheckpointSnapshot recomputed = Snapshot(partition: 0, offset: 5, full: true,
            Count(Resolution.Minute, T0 + 60_000, type: 1, count: 9), Count(Resolution.Hour, T0, type: 1, count: 99));
        int written = store.ReplaceRollups(0, T0, T0 + 120_000, recomputed, [], new AnalyticsSnapshot(), [(1, "page_view"u8.ToArray())]);

        Assert.Equal(1, written);
        Assert.Equal([(0, T0 + 60_000, 9L), (0, T0 + 120_000, 3L), (1, T0, 40L)],
            store.ScanCounts(Filter(Resolution.Minute, Dimension.Type, T0, T0 + Hour)).OrderBy(r => r.Partition).ThenBy(r => r.Bucket).Select(r => (r.Partition, r.Bucket, r.Count)));
        Assert.Equal([6L], store.ScanCounts(Filter(Resolution.Hour, Dimension.Type, T0, T0 + Hour)).Select(r => r.Count));
        var dictionary = new DimensionDictionary();
        store.LoadDictionary(dictionary);
        Assert.Equal("page_view", dictionary.GetString(1));
    }

    [Fact]
    public void Queries_over_stored_buckets_answer_what_they_answered_from_memory()
    {
        using var h = new StateHarness(analytics: new AnalyticsOptions(), store: OpenStore());
        var events = new List<string>();
        string[] countries = ["DE", "FR", "US"];
        for (int i = 0; i < 400; i++)
        {
            long ts = T0 + (i * 17_000L);
            string user = $"u{i % 37}";
            events.Add(i % 9 == 0
                ? Event("purchase", ts, user, country: countries[i % 3], revenue: 3.25m + (i % 4))
                : i % 5 == 0
                    ? Event("add_to_cart", ts, user, product: $"p{i % 6}", country: countries[i % 3])
                    : Event("page_view", ts, user, page: i % 4 == 0 ? $"/product/p{i % 6}" : $"/page/{i % 8}", country: countries[i % 3]));
        }

        h.Apply([.. events]);
        long end = T0 + (400 * 17_000L);
        // A later event moves the watermark past everything, and idle time ends every session.
        h.Apply(Event("click", end + (2 * Hour), "ticker"));
        h.AdvanceAnalytics(end + (3 * Hour));
        string fromMemory = Answers(h, end);
        h.Checkpoint();

        // Nothing resident: every answer now comes from the store's scans.
        h.Restart(TimeSpan.Zero);
        Assert.Equal(fromMemory, Answers(h, end));
    }

    private static string Answers(StateHarness h, long end)
    {
        long from = T0 - Hour, to = end + Hour;
        var answers = new StringBuilder();
        void Add(string name, MetricResult result) =>
            answers.Append(name).Append(": ").AppendJoin("; ", result.Series.Select(s => $"{string.Join(",", s.Group.Select(g => $"{g.Key}={g.Value}"))} total {s.Total.ToString(CultureInfo.InvariantCulture)} points {string.Join(" ", (s.Points ?? []).Select(p => p.Value.ToString(CultureInfo.InvariantCulture)))}")).AppendLine();
        Add("events by type per hour", h.Run("events", from, to, step: "1h", groupBy: "type"));
        Add("revenue by country", h.Run("revenue", from, to, groupBy: "country"));
        Add("events by page, top 5", h.Run("events", from, to, groupBy: "page", limit: 5));
        Add("unique users", h.Run("unique_users", from, to, step: "1h"));
        Add("unique users by country", h.Run("unique_users", from, to, groupBy: "country"));
        Add("sessions", h.Run("sessions", from, to, step: "1h"));
        Add("session duration p50", h.Run("session_duration_seconds", from, to, stat: "p50"));
        Add("entry pages", h.Run("entry_pages", from, to, groupBy: "page", limit: 3));
        FunnelResult funnel = new FunnelQueries([h.State], h.Store).Execute("checkout", from, to)!;
        answers.Append("checkout: ").AppendJoin(" ", funnel.Steps.Select(s => $"{s.Name} {s.Users}/{s.Sessions}")).AppendLine();
        var matches = new MatchQueries([h.State], h.Store);
        answers.Append("cart abandonment: ").AppendJoin(" ", matches.Execute("cart_abandonment", from, to, 1000).Select(m => $"{m.UserId}@{m.TimeMs}").Order()).AppendLine();
        Add("cart abandonment per hour", matches.Count("cart_abandonment", from, to, Hour, "1h", 0));
        Assert.Contains("purchase", answers.ToString(), StringComparison.Ordinal);
        return answers.ToString();
    }

    [Fact]
    public void Retention_keeps_exactly_the_buckets_that_start_within_each_resolution_retention()
    {
        using IRollupStore store = OpenStore();
        long now = T0 + (50 * Hour);
        var rows = new List<CountRow>();
        // 1-second rows over the last 30 hours (every 20 minutes), minute rows over the last 3 days, hours over 10 days.
        for (long t = now - (30 * Hour); t < now; t += 20 * 60_000)
        {
            rows.Add(Count(Resolution.Second, t, type: 1, count: 1));
        }

        for (long t = now - (72 * Hour); t < now; t += Hour)
        {
            rows.Add(Count(Resolution.Minute, t, type: 1, count: 1));
        }

        for (long t = now - (240 * Hour); t < now; t += 6 * Hour)
        {
            rows.Add(Count(Resolution.Hour, t, type: 1, count: 1));
        }

        store.WriteCheckpoint([Snapshot(partition: 0, offset: 1, full: true, [.. rows])], [], nowMs: now);
        TimeSpan[] retention = [TimeSpan.FromMinutes(150), TimeSpan.FromHours(30), TimeSpan.Zero, TimeSpan.Zero];
        store.ApplyRetention(now, retention);

        foreach ((Resolution resolution, TimeSpan keep) in new[] { (Resolution.Second, retention[0]), (Resolution.Minute, retention[1]), (Resolution.Hour, TimeSpan.MaxValue) })
        {
            long cutoff = keep == TimeSpan.MaxValue ? long.MinValue : now - (long)keep.TotalMilliseconds;
            long[] expected = [.. rows.Where(r => r.Resolution == resolution && r.Bucket >= cutoff).Select(r => r.Bucket).Order()];
            Assert.NotEmpty(expected);
            Assert.Equal(expected, store.ScanCounts(Filter(resolution, Dimension.Type, long.MinValue / 2, long.MaxValue / 2)).Select(r => r.Bucket).Order());
        }

        // Later writes into a kept bucket still land.
        store.WriteCheckpoint([Snapshot(partition: 0, offset: 2, full: true, Count(Resolution.Second, now - 1000, type: 1, count: 8))], [], nowMs: now);
        Assert.Contains(8L, store.ScanCounts(Filter(Resolution.Second, Dimension.Type, now - Hour, now)).Select(r => r.Count));
    }

    [Fact]
    public void Definitions_are_saved_replaced_listed_by_name_and_deleted()
    {
        using (IRollupStore store = OpenStore())
        {
            Assert.Empty(store.LoadDefinitions());
            store.SaveDefinition("zeta", """{"kind":"metric","v":1}""", 1);
            store.SaveDefinition("alpha", """{"kind":"funnel"}""", 2);
            store.SaveDefinition("zeta", """{"kind":"metric","v":2}""", 3);
        }

        using IRollupStore reopened = OpenStore();
        Assert.Equal([("alpha", """{"kind":"funnel"}"""), ("zeta", """{"kind":"metric","v":2}""")], reopened.LoadDefinitions());
        Assert.True(reopened.DeleteDefinition("alpha"));
        Assert.False(reopened.DeleteDefinition("alpha"));
        Assert.Equal(["zeta"], reopened.LoadDefinitions().Select(d => d.Name));
    }

    [Fact]
    public void Anomalies_replace_themselves_by_key_and_the_monitor_position_round_trips()
    {
        using IRollupStore store = OpenStore();
        Assert.Null(store.LoadAnomalyCheckpoint());
        store.WriteAnomalies(
        [
            new StoredAnomaly(T0, 60_000, "events", null, null, 10, 50, -4, "high"),
            new StoredAnomaly(T0 + 60_000, 60_000, "events", "type", "purchase", 90, 20, 6.5, "high"),
            new StoredAnomaly(T0 + 60_000, 60_000, "revenue", null, null, 1, 2, -1.5, "low"),
        ], new AnomalyCheckpoint(T0, T0 - 60_000, [1, 2, 3]));
        store.WriteAnomalies([new StoredAnomaly(T0, 60_000, "events", null, null, 11, 50, -3.9, "low")], null);

        List<StoredAnomaly> all = store.ScanAnomalies(T0, T0 + Hour, null, 10);
        Assert.Equal([(T0 + 60_000, "events"), (T0 + 60_000, "revenue"), (T0, "events")], all.Select(a => (a.TimeMs, a.Metric)));
        Assert.Equal(new StoredAnomaly(T0, 60_000, "events", null, null, 11, 50, -3.9, "low"), all[2]);
        Assert.Equal("purchase", all[0].GroupValue);
        Assert.Single(store.ScanAnomalies(T0, T0 + Hour, "revenue", 10));
        Assert.Single(store.ScanAnomalies(T0, T0 + Hour, null, 1));
        AnomalyCheckpoint saved = store.LoadAnomalyCheckpoint()!;
        Assert.Equal((T0, T0 - 60_000), (saved.SecondsFedMs, saved.MinutesFedMs));
        Assert.Equal([1, 2, 3], saved.State);
    }

    [Fact]
    public void The_store_answers_pings_and_reports_its_size()
    {
        using IRollupStore store = OpenStore();
        store.WriteCheckpoint([Snapshot(partition: 0, offset: 1, full: true, Count(Resolution.Minute, T0, type: 1, count: 1))], [], nowMs: 1);
        Assert.True(store.Ping());
        Assert.True(store.DatabaseBytes() > 0);
        Assert.False(string.IsNullOrEmpty(store.Location));
    }

    protected static CheckpointSnapshot Snapshot(int partition, long offset, bool full, params CountRow[] counts)
    {
        var snapshot = new CheckpointSnapshot(partition)
        {
            Taken = true,
            IncludesRollups = full,
            Position = new LogPosition(offset, 0, offset * 10),
            MaxEventTimeMs = T0 + 999,
            EventsProcessed = offset,
        };
        snapshot.Counts.AddRange(counts);
        return snapshot;
    }

    protected static CountRow Count(Resolution resolution, long bucket, int type, long count, long revenue = 0, long late = 0) =>
        new(resolution, bucket, new CellKey(Dimension.Type, type, 0, 0, 0, 0), count, revenue, late);

    private static void AddUnique(CheckpointSnapshot snapshot, Resolution resolution, long bucket, CellKey key, HyperLogLog sketch)
    {
        int offset = snapshot.SketchBytes.WrittenCount;
        int length = sketch.Serialize(snapshot.SketchBytes.GetSpan(sketch.MaxSerializedSize));
        snapshot.SketchBytes.Advance(length);
        snapshot.Uniques.Add(new UniqueRow(resolution, bucket, key, offset, length));
    }

    protected static RowFilter Filter(Resolution resolution, Dimension mask, long from, long to, params (Dimension, int)[] equalities) =>
        new() { Resolution = resolution, Mask = mask, FromBucket = from, ToBucket = to, Equalities = equalities };
}
