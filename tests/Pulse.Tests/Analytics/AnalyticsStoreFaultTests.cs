using Microsoft.Data.Sqlite;
using Pulse.Analytics;
using Pulse.Analytics.Funnels;
using Pulse.Analytics.Sessions;
using Pulse.Processing.Aggregation;
using Pulse.Store;
using Pulse.Tests.Processing;
using static Pulse.Tests.Processing.TestEvents;

namespace Pulse.Tests.Analytics;

/// <summary>A store that fails while the analytics read an evicted aggregate back: the step is retried whole, nothing counted twice.</summary>
public sealed class AnalyticsStoreFaultTests
{
    private const long Min = 60_000;
    private const long T0 = 1_795_219_200_000 + (5 * 60 * Min);

    [Fact]
    public void A_session_ending_into_an_evicted_bucket_while_the_store_fails_is_counted_once_after_the_retry()
    {
        FailingAnalyticsStore? failing = null;
        var options = new AnalyticsOptions { ResidentAggregates = TimeSpan.FromMinutes(1) };
        using var h = new StateHarness(analytics: options, analyticsStore: store => failing = new FailingAnalyticsStore(store));

        // A session of 3 hours (a page view every 20 minutes) and another user who keeps event time moving.
        for (int i = 0; i <= 9; i++)
        {
            h.Apply(Event("page_view", T0 + (i * 20 * Min), "long", page: $"/p{i}"), Event("click", T0 + (i * 20 * Min) + Min, "ticker"));
        }

        h.Checkpoint();
        lock (h.State.Gate)
        {
            Assert.True(h.Analytics.Evict() > 0);
        }

        // The session ends (a gap after its last event); its start bucket has left memory and the store fails.
        failing!.Fail = true;
        Assert.Throws<SqliteException>(() => h.AdvanceAnalytics(T0 + (4 * 60 * Min)));
        long endedBefore = h.Analytics.SessionsEnded;
        failing.Fail = false;
        h.AdvanceAnalytics(T0 + (4 * 60 * Min));

        Assert.Equal(endedBefore + 2, h.Analytics.SessionsEnded);
        foreach (Resolution r in PartitionAnalytics.AggregateResolutions)
        {
            // The ticker's session started a minute later: the same hour and day, another minute.
            int sessions = r == Resolution.Minute ? 1 : 2;
            SessionCell cell = h.Analytics.SessionCells[new SessionCellKey(r, r.BucketStart(T0), 0, 0)];
            Assert.Equal(sessions, cell.Ended);
            Assert.Equal(sessions, cell.DurationSeconds.Count);
        }

        Assert.Equal(10m, h.Run("pages_per_session", T0 - Min, T0 + Min, stat: "max").Series[0].Total);
        Assert.Equal(1m, h.Run("pages_per_session", T0 - Min, T0 + Min, stat: "max").Series.Count);
        Assert.Equal(1m, Math.Round(h.Run("session_duration_seconds", T0 - Min, T0 + Min, stat: "max").Series[0].Total / 10800m, 2));
        Assert.Equal(0m, h.Total("bounce_rate", T0 - Min, T0 + Min));
    }

    private sealed class FailingAnalyticsStore(IAnalyticsStore store) : IAnalyticsStore
    {
        public bool Fail { get; set; }

        // Session cells read fine, page counts fail: the failure comes after the first read of the
        // step, which is what could leave a step half done.
        public SessionCell? TryLoadSessionCell(int partition, in SessionCellKey key) => store.TryLoadSessionCell(partition, key);

        public long? TryLoadSessionPage(int partition, in SessionPageKey key) =>
            Fail ? throw new SqliteException("disk I/O error", 10) : store.TryLoadSessionPage(partition, key);

        public FunnelCell? TryLoadFunnelCell(int partition, in FunnelCellKey key) =>
            Fail ? throw new SqliteException("disk I/O error", 10) : store.TryLoadFunnelCell(partition, key);
    }
}
