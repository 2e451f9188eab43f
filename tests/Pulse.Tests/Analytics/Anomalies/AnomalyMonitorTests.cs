using Microsoft.Extensions.Logging.Abstractions;
using Pulse.Analytics;
using Pulse.Analytics.Anomalies;
using Pulse.Store;
using Pulse.Tests.Processing;
using static Pulse.Tests.Processing.TestEvents;

namespace Pulse.Tests.Analytics.Anomalies;

/// <summary>The monitor over a real partition state and store: final buckets fed once, anomalies stored once, a restart resumes.</summary>
public sealed class AnomalyMonitorTests
{
    private const long T0 = 1_795_219_200_000;
    private const int SpikeSecond = 400;

    [Fact]
    public void A_spike_in_one_type_is_found_once_stored_and_not_found_again_after_a_restart()
    {
        using StateHarness h = new(analytics: new AnalyticsOptions());
        var options = new AnomalyOptions();
        AnomalyMonitor monitor = New(h, options);
        var pushed = new List<StoredAnomaly>();
        monitor.Found = pushed.Add;
        var random = new Random(5);
        for (int second = 0; second < 600; second++)
        {
            int views = second == SpikeSecond ? 400 : 60 + random.Next(-8, 9);
            var events = new List<string>(views + 1);
            for (int i = 0; i < views; i++)
            {
                events.Add(Event("page_view", T0 + (second * 1000L) + (i * 1000L / views), $"u{random.Next(500)}", page: "/"));
            }

            events.Add(Event("click", T0 + (second * 1000L) + 500, "clicker"));
            h.Apply([.. events]);
            if (second % 10 == 9)
            {
                monitor.RunOnce(T0 + (second * 1000L));
            }
        }

        List<StoredAnomaly> stored = h.Store.ScanAnomalies(T0, T0 + 3_600_000, null, 100);
        StoredAnomaly spike = Assert.Single(stored, a => a.WidthMs == 1000);
        Assert.Equal(T0 + (SpikeSecond * 1000L), spike.TimeMs);
        Assert.Equal(("events", "type", "page_view"), (spike.Metric, spike.GroupName, spike.GroupValue));
        Assert.Equal("critical", spike.Severity);
        Assert.Equal(400, spike.Value);
        Assert.InRange(spike.Expected, 50, 70);
        Assert.Equal(stored, pushed);

        // A restart resumes from the saved position: the buckets fed are not fed again.
        long fed = monitor.SecondsFedMs;
        monitor.Save();
        AnomalyMonitor restarted = New(h, options);
        restarted.Restore();
        Assert.Equal(fed, restarted.SecondsFedMs);
        Assert.Equal(0, restarted.RunOnce(T0 + 600_000));
        Assert.Equal(stored.Count, h.Store.ScanAnomalies(T0, T0 + 3_600_000, null, 100).Count);
    }

    [Fact]
    public void Steady_traffic_gives_no_anomalies_and_every_final_second_is_fed_once()
    {
        using StateHarness h = new(analytics: new AnalyticsOptions());
        AnomalyMonitor monitor = New(h, new AnomalyOptions());
        var random = new Random(9);
        for (int second = 0; second < 300; second++)
        {
            var events = new List<string>();
            for (int i = 0; i < 40 + random.Next(-5, 6); i++)
            {
                events.Add(Event("page_view", T0 + (second * 1000L) + i, $"u{random.Next(200)}"));
            }

            h.Apply([.. events]);
            monitor.RunOnce(T0 + (second * 1000L));
        }

        Assert.Empty(h.Store.ScanAnomalies(T0, T0 + 3_600_000, null, 100));
        // Final through the watermark (newest event − 5 s lateness), in whole seconds.
        Assert.Equal(T0 + (294 * 1000L), monitor.SecondsFedMs);
        Assert.Equal(0, monitor.Detector.StaleObservations);
    }

    [Fact]
    public void A_configured_series_split_by_country_is_watched_per_minute_and_finds_a_spike_in_one_country()
    {
        using StateHarness h = new(analytics: new AnalyticsOptions());
        var options = new AnomalyOptions { Series = ["page_views:country"] };
        AnomalyMonitor monitor = New(h, options);
        var random = new Random(3);
        for (int minute = 0; minute < 80; minute++)
        {
            var events = new List<string>();
            foreach (string country in new[] { "DE", "FR" })
            {
                int views = country == "DE" && minute == 70 ? 600 : 100 + random.Next(-10, 11);
                for (int i = 0; i < views; i++)
                {
                    events.Add(Event("page_view", T0 + (minute * 60_000L) + (i * 60_000L / views), $"u{random.Next(300)}", page: "/", country: country));
                }
            }

            h.Apply([.. events]);
            monitor.RunOnce(T0 + (minute * 60_000L));
        }

        StoredAnomaly spike = Assert.Single(h.Store.ScanAnomalies(T0, T0 + 7_200_000, null, 100));
        Assert.Equal((60_000L, "page_views", "country", "DE"), (spike.WidthMs, spike.Metric, spike.GroupName, spike.GroupValue));
        Assert.Equal(T0 + (70 * 60_000L), spike.TimeMs);
        Assert.Equal(["page_views"], monitor.MetricNames);
    }

    [Theory]
    [InlineData("sessions", "not an event metric")]
    [InlineData("events:city", "not a dimension of 'events'")]
    public void A_series_that_is_not_an_event_metric_and_dimension_is_refused_with_its_reason(string series, string says)
    {
        var options = new AnomalyOptions { Series = [series] };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        Assert.False(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true));
        Assert.Contains(results, r => r.ErrorMessage!.Contains(says, StringComparison.Ordinal) && r.ErrorMessage.StartsWith("Pulse:Anomalies:Series", StringComparison.Ordinal));
    }

    private static AnomalyMonitor New(StateHarness h, AnomalyOptions options) =>
        new(h.Queries, () => h.State.WatermarkMs, h.Store, options, NullLogger.Instance);
}
