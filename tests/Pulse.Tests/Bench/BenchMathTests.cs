using System.Text;
using Pulse.Bench;

namespace Pulse.Tests.Bench;

public class BenchMathTests
{
    [Fact]
    public void Nearest_rank_percentiles_pick_real_samples()
    {
        double[] sorted = new double[100];
        for (int i = 0; i < sorted.Length; i++)
        {
            sorted[i] = i + 1;
        }

        Assert.Equal(50, Percentiles.NearestRank(sorted, 50));
        Assert.Equal(90, Percentiles.NearestRank(sorted, 90));
        Assert.Equal(99, Percentiles.NearestRank(sorted, 99));
        Assert.Equal(100, Percentiles.NearestRank(sorted, 100));
        Assert.Equal(1, Percentiles.NearestRank(sorted, 0.1));
        Assert.Equal(3, Percentiles.NearestRank([1, 2, 3], 99));
        Assert.Equal(2, Percentiles.NearestRank([1, 2, 3], 50));
        Assert.True(double.IsNaN(Percentiles.NearestRank([], 50)));
    }

    [Fact]
    public void Median_of_runs_is_the_middle_or_the_mean_of_the_two_middles()
    {
        Assert.Equal(5, Percentiles.Median([9, 1, 5]));
        Assert.Equal(4, Percentiles.Median([1, 9, 3, 5]));
        Assert.True(double.IsNaN(Percentiles.Median([])));
    }

    [Fact]
    public void Latency_samples_sort_and_drop_what_does_not_fit()
    {
        var samples = new LatencySamples(3);
        foreach (double ms in new double[] { 5, 1, 3, 100 })
        {
            samples.Record(ms);
        }

        Assert.Equal([1.0, 3.0, 5.0], samples.Sorted());
    }

    [Fact]
    public void Cpu_seconds_come_from_utime_and_stime_even_when_the_name_has_spaces()
    {
        string stat = "4242 (dotnet host) S 1 4242 4242 0 -1 4194304 9000 0 0 0 250 75 0 0 20 0 30 0 12345 0 0";
        Assert.Equal(3.25, ProcessStats.ParseCpuSeconds(stat), 6);
    }

    [Fact]
    public void Accepted_is_read_from_the_top_level_of_the_ingest_response()
    {
        Assert.Equal(998, IngestClient.ReadAccepted("{\"accepted\": 998, \"duplicates\": 0, \"rejected\": 2, \"errors\": [{\"index\": 17, \"error\": \"x\"}]}"u8));
        Assert.Equal(0, IngestClient.ReadAccepted("{\"errors\":[{\"accepted\":5}]}"u8));
        Assert.Equal(0, IngestClient.ReadAccepted("not json"u8));
    }

    [Fact]
    public void Tokenizer_counts_one_value_per_ndjson_line()
    {
        byte[] ndjson = Encoding.UTF8.GetBytes("{\"a\":{\"b\":1}}\n{\"a\":[1,2]}\n{}\n");
        Assert.Equal(3, TokenizerCeiling.Tokenize(ndjson));
    }

    [Fact]
    public void Freshness_queries_are_hour_aligned_around_the_event_and_read_the_first_total()
    {
        string query = FreshnessProbe.QueryFor("probe-x-1", 1_795_300_123_456);
        Assert.Equal("/v1/metrics/events?filter=product_id:probe-x-1&from=1795294800000&to=1795305600000", query);
        Assert.Equal(1, FreshnessProbe.Total("{\"metric\":\"events\",\"series\":[{\"group\":{},\"total\":1}]}"u8));
        Assert.Equal(0, FreshnessProbe.Total("{\"metric\":\"events\",\"series\":[]}"u8));
    }

    [Fact]
    public void Pipeline_status_is_read_from_the_realtime_snapshot()
    {
        PipelineStatus? status = PipelineStatus.Parse("{\"ts\":1,\"pipeline\":{\"ingest_per_second\":10,\"lag_events\":42,\"watermark_delay_ms\":5,\"freshness_p99_ms\":120}}"u8);
        Assert.Equal(new PipelineStatus(42, 120, 10), status);
        Assert.Null(PipelineStatus.Parse("{\"ts\":1}"u8));
    }
}
