using System.Diagnostics.Metrics;
using Pulse.Metrics;

namespace Pulse.Tests.Metrics;

/// <summary>The collector against real meters (each test its own, so tests running in parallel do not see each other's).</summary>
public sealed class MetricsCollectorTests : IDisposable
{
    private readonly Meter _meter = new("Pulse.Tests." + Guid.NewGuid().ToString("N"));
    private readonly MetricsCollector _collector;

    public MetricsCollectorTests()
    {
        _collector = MetricsCollector.ForMeters(_meter.Name);
    }

    public void Dispose()
    {
        _collector.Dispose();
        _meter.Dispose();
    }

    private string[] Lines() => _collector.Write().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private string Sample(string prefix) => Assert.Single(Lines(), l => l.StartsWith(prefix + " ", StringComparison.Ordinal));

    [Fact]
    public void Histogram_buckets_are_cumulative_and_end_with_inf_sum_and_count()
    {
        Histogram<double> h = _meter.CreateHistogram("t_latency_seconds", "s", "Latency.", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1, 10] });
        foreach (double v in (double[])[0.05, 0.1, 0.5, 1, 2, 20, 30])
        {
            h.Record(v);
        }

        string[] lines = Lines();
        Assert.Contains("# HELP t_latency_seconds Latency.", lines);
        Assert.Contains("# TYPE t_latency_seconds histogram", lines);
        // le is "less than or equal": 0.1 falls in the 0.1 bucket, 1 in the 1 bucket.
        Assert.Equal("t_latency_seconds_bucket{le=\"0.1\"} 2", Sample("t_latency_seconds_bucket{le=\"0.1\"}"));
        Assert.Equal("t_latency_seconds_bucket{le=\"1\"} 4", Sample("t_latency_seconds_bucket{le=\"1\"}"));
        Assert.Equal("t_latency_seconds_bucket{le=\"10\"} 5", Sample("t_latency_seconds_bucket{le=\"10\"}"));
        Assert.Equal("t_latency_seconds_bucket{le=\"+Inf\"} 7", Sample("t_latency_seconds_bucket{le=\"+Inf\"}"));
        Assert.Equal("t_latency_seconds_count 7", Sample("t_latency_seconds_count"));
        Assert.Equal(53.65, double.Parse(Sample("t_latency_seconds_sum").Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), 9);
        int inf = Array.FindIndex(lines, l => l.Contains("le=\"+Inf\"", StringComparison.Ordinal));
        Assert.StartsWith("t_latency_seconds_sum", lines[inf + 1], StringComparison.Ordinal);
        Assert.StartsWith("t_latency_seconds_count", lines[inf + 2], StringComparison.Ordinal);
    }

    [Fact]
    public void Histogram_series_per_label_set_keep_their_own_buckets()
    {
        Histogram<long> h = _meter.CreateHistogram("t_batch_events", null, "Batch.", tags: null,
            new InstrumentAdvice<long> { HistogramBucketBoundaries = [10, 100] });
        h.Record(5, new KeyValuePair<string, object?>("route", "a"));
        h.Record(50, new KeyValuePair<string, object?>("route", "b"));
        h.Record(500, new KeyValuePair<string, object?>("route", "b"));

        Assert.Equal("t_batch_events_bucket{route=\"a\",le=\"10\"} 1", Sample("t_batch_events_bucket{route=\"a\",le=\"10\"}"));
        Assert.Equal("t_batch_events_bucket{route=\"b\",le=\"10\"} 0", Sample("t_batch_events_bucket{route=\"b\",le=\"10\"}"));
        Assert.Equal("t_batch_events_bucket{route=\"b\",le=\"100\"} 1", Sample("t_batch_events_bucket{route=\"b\",le=\"100\"}"));
        Assert.Equal("t_batch_events_count{route=\"b\"} 2", Sample("t_batch_events_count{route=\"b\"}"));
        Assert.Equal("t_batch_events_sum{route=\"b\"} 550", Sample("t_batch_events_sum{route=\"b\"}"));
    }

    [Fact]
    public void Histogram_ignores_nan_and_counts_infinity_in_the_last_bucket()
    {
        Histogram<double> h = _meter.CreateHistogram("t_odd_seconds", "s", "Odd.", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [1] });
        h.Record(double.NaN);
        h.Record(double.PositiveInfinity);
        Assert.Equal("t_odd_seconds_bucket{le=\"1\"} 0", Sample("t_odd_seconds_bucket{le=\"1\"}"));
        Assert.Equal("t_odd_seconds_count 1", Sample("t_odd_seconds_count"));
        Assert.Equal("t_odd_seconds_sum +Inf", Sample("t_odd_seconds_sum"));
    }

    [Fact]
    public void Counters_get_total_and_add_exactly()
    {
        Counter<long> c = _meter.CreateCounter<long>("t_events", null, "Events.");
        c.Add(long.MaxValue / 4);
        c.Add(3);
        Assert.Contains("# TYPE t_events_total counter", Lines());
        Assert.Equal($"t_events_total {(long.MaxValue / 4) + 3}", Sample("t_events_total"));
    }

    [Fact]
    public void Observable_instruments_report_their_current_value_at_each_scrape()
    {
        long value = 5;
        _meter.CreateObservableGauge("t_queue", () => value, null, "Queue.");
        _meter.CreateObservableCounter("t_seen", () => new Measurement<long>(value * 10, new KeyValuePair<string, object?>("partition", "0")), null, "Seen.");
        Assert.Equal("t_queue 5", Sample("t_queue"));
        value = 2;
        Assert.Equal("t_queue 2", Sample("t_queue"));
        Assert.Equal("t_seen_total{partition=\"0\"} 20", Sample("t_seen_total{partition=\"0\"}"));
        Assert.Contains("# TYPE t_queue gauge", Lines());
    }

    [Fact]
    public void Up_down_counters_are_gauges()
    {
        UpDownCounter<long> u = _meter.CreateUpDownCounter<long>("t_in_flight", null, "In flight.");
        u.Add(3);
        u.Add(-1);
        Assert.Contains("# TYPE t_in_flight gauge", Lines());
        Assert.Equal("t_in_flight 2", Sample("t_in_flight"));
    }

    [Fact]
    public void The_same_labels_in_another_order_are_one_series()
    {
        Counter<long> c = _meter.CreateCounter<long>("t_requests", null, "Requests.");
        c.Add(1, new KeyValuePair<string, object?>("a", "1"), new KeyValuePair<string, object?>("b", "2"));
        c.Add(2, new KeyValuePair<string, object?>("b", "2"), new KeyValuePair<string, object?>("a", "1"));
        Assert.Equal("t_requests_total{a=\"1\",b=\"2\"} 3", Sample("t_requests_total{a=\"1\",b=\"2\"}"));
    }

    [Fact]
    public void Label_values_are_escaped_and_non_string_values_formatted_invariantly()
    {
        Counter<long> c = _meter.CreateCounter<long>("t_labels", null, "Labels.");
        c.Add(1, new KeyValuePair<string, object?>("v", "q\"n\n"), new KeyValuePair<string, object?>("n", 1.5));
        Assert.Equal("t_labels_total{n=\"1.5\",v=\"q\\\"n\\n\"} 1", Sample("t_labels_total{n=\"1.5\",v=\"q\\\"n\\n\"}"));
    }

    [Fact]
    public void Series_beyond_the_cap_are_dropped_and_counted()
    {
        Counter<long> c = _meter.CreateCounter<long>("t_unbounded", null, "Unbounded.");
        for (int i = 0; i < SeriesTable<ScalarSeries>.MaxSeries + 5; i++)
        {
            c.Add(1, new KeyValuePair<string, object?>("id", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        string[] lines = Lines();
        Assert.Equal(SeriesTable<ScalarSeries>.MaxSeries, lines.Count(l => l.StartsWith("t_unbounded_total{", StringComparison.Ordinal)));
        Assert.Equal("pulse_metrics_series_dropped_total 5", Sample("pulse_metrics_series_dropped_total"));
    }

    [Fact]
    public void Meters_not_included_are_not_exported()
    {
        using var other = new Meter("Pulse.Tests.Other." + Guid.NewGuid().ToString("N"));
        other.CreateCounter<long>("t_foreign").Add(1);
        Assert.DoesNotContain(Lines(), l => l.Contains("t_foreign", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Concurrent_records_lose_nothing()
    {
        Histogram<double> h = _meter.CreateHistogram("t_concurrent_seconds", "s", "Concurrent.", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5] });
        Counter<long> c = _meter.CreateCounter<long>("t_concurrent");
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (int i = 0; i < 50_000; i++)
            {
                h.Record((i % 2) == 0 ? 0.25 : 0.75);
                c.Add(1);
            }
        })));
        Assert.Equal("t_concurrent_seconds_bucket{le=\"0.5\"} 100000", Sample("t_concurrent_seconds_bucket{le=\"0.5\"}"));
        Assert.Equal("t_concurrent_seconds_count 200000", Sample("t_concurrent_seconds_count"));
        Assert.Equal("t_concurrent_seconds_sum 100000", Sample("t_concurrent_seconds_sum"));
        Assert.Equal("t_concurrent_total 200000", Sample("t_concurrent_total"));
    }

    [Fact]
    public void Recording_allocates_nothing()
    {
        Histogram<double> h = _meter.CreateHistogram("t_alloc_seconds", "s", "Alloc.", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5] });
        Counter<long> c = _meter.CreateCounter<long>("t_alloc");
        var tag = new KeyValuePair<string, object?>("route", "/v1/events");
        h.Record(0.1, tag);
        c.Add(1, tag);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            h.Record(0.1, tag);
            c.Add(1, tag);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
