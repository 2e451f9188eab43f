using Microsoft.Data.Sqlite;
using Pulse.Processing;
using Pulse.Processing.Aggregation;
using Pulse.Processing.State;
using Pulse.Store;

namespace Pulse.Tests.Processing;

/// <summary>
/// A late event for an evicted bucket reads its cells back from the store. When that read fails the
/// event must be left entirely unapplied, so the processor can retry it without counting any cell twice.
/// </summary>
public sealed class StoreFaultTests
{
    private const long Hour = 3_600_000;
    private const long T0 = 1_795_219_200_000 + (5 * Hour);

    [Fact]
    public void A_failing_store_read_leaves_the_event_unapplied_and_a_retry_counts_it_once()
    {
        FailingReads? faults = null;
        using var h = new StateHarness(cellStore: store => faults = new FailingReads(store));
        var lines = new List<string>();
        for (int i = 0; i < 600; i++)
        {
            lines.Add(TestEvents.Event(i % 7 == 0 ? "purchase" : "page_view", T0 + (i * 5_000), $"u{i % 50}",
                page: $"/p{i % 4}", product: $"p{i % 3}", country: "DE", revenue: i % 7 == 0 ? 1.5m : null));
        }

        h.Apply([.. lines]);
        h.Checkpoint();
        Assert.True(h.Evict(TimeSpan.FromMinutes(2)) > 0);
        string late = TestEvents.Event("purchase", T0 + 60_000, "u-late", page: "/p1", product: "p2", country: "DE", revenue: 10m);
        string before = Answers(h);

        // Every resolution's bucket of the late event was evicted; a failure on any of its reads
        // (here the third) must leave nothing changed.
        faults!.FailAfter = 2;
        Assert.Throws<SqliteException>(() => h.Apply(late));
        Assert.Equal(before, Answers(h));
        Assert.Equal(600, h.State.EventsProcessed);

        faults.FailAfter = int.MaxValue;
        h.Apply(late);
        Assert.Equal(601m, h.Total("events", T0, T0 + Hour));
        Assert.Equal(1m, h.Total("late_events", T0, T0 + Hour));
        Assert.Equal(lines.Count(l => l.Contains("purchase", StringComparison.Ordinal)) * 1.5m + 10m, h.Total("revenue", T0, T0 + Hour));
        int ordersBefore = Enumerable.Range(12, 12).Count(i => i % 7 == 0 && i % 3 == 2);
        Assert.Equal(ordersBefore + 1m, h.Run("orders", T0 + 60_000, T0 + 120_000, "1m", "product_id").Series.Single(s => s.Group["product_id"] == "p2").Total);
    }

    private static string Answers(StateHarness h) => string.Join(";",
        h.Run("events", T0, T0 + Hour, "1m", "type").Series.Select(s => $"{s.Group["type"]}={s.Total}:{string.Join(',', s.Points!.Select(p => p.Value))}"),
        h.Run("revenue", T0, T0 + Hour, "1h", "product_id").Series.Select(s => $"{s.Group["product_id"]}={s.Total}"),
        h.Run("unique_users", T0, T0 + Hour, "1m").Series.Select(s => $"{s.Total}:{string.Join(',', s.Points!.Select(p => p.Value))}"));

    /// <summary>The real store, with reads that fail after a given number succeeded (a disk or lock error).</summary>
    private sealed class FailingReads(ICellStore store) : ICellStore
    {
        public int FailAfter { get; set; } = int.MaxValue;

        public bool TryLoadCount(int partition, Resolution resolution, long bucket, in CellKey key, out CountCell cell)
        {
            Tick();
            return store.TryLoadCount(partition, resolution, bucket, key, out cell);
        }

        public HyperLogLog? TryLoadUnique(int partition, Resolution resolution, long bucket, in CellKey key)
        {
            Tick();
            return store.TryLoadUnique(partition, resolution, bucket, key);
        }

        private void Tick()
        {
            if (FailAfter-- <= 0)
            {
                throw new SqliteException("disk I/O error", 10);
            }
        }
    }
}
