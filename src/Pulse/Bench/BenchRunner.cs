using System.Diagnostics;
using System.Globalization;

namespace Pulse.Bench;

/// <summary>
/// Runs every scenario <see cref="BenchSettings.Repeat"/> times: the tokenizer ceiling in this
/// process, then the bare-Kestrel sink and a fresh Pulse server, each in its own process, loaded
/// identically by the client here. Progress goes to the log; the report is returned.
/// </summary>
internal sealed class BenchRunner
{
    private const long Seed = 20261122;

    private readonly BenchSettings _settings;
    private readonly TextWriter _log;
    private readonly List<string> _notes = [];

    private readonly ScenarioRow _tokenizer = new("tokenizer ceiling (Utf8JsonReader, all cores)", "events/s");
    private readonly ScenarioRow _kestrel = new("bare-Kestrel ceiling (sink, same load)", "events/s");
    private readonly ScenarioRow _ingest = new("sustained ingest (fsync on)", "events/s", 250_000, ceilingName: "bare Kestrel");
    private readonly ScenarioRow _processed = new("sustained processing (ingest − growth of the backlog)", "events/s", 250_000);
    private readonly ScenarioRow _ingestNoAnalytics = new("sustained processing, sessions/funnels/patterns/anomalies off", "events/s");
    private readonly ScenarioRow _analyticsCost = new("cost of the built-in analytics (share of throughput)", "%", 30, higherIsBetter: false);
    private readonly ScenarioRow _ingestVsTokenizer = new("sustained ingest / tokenizer ceiling", "%");
    private readonly ScenarioRow _lagAtEnd = new("processing lag at end of ingest", "events", higherIsBetter: false);
    private readonly ScenarioRow _catchUp = new("catch-up time after ingest", "ms", higherIsBetter: false);
    private readonly ScenarioRow _serverCpu = new("server CPU during ingest", "cores", higherIsBetter: false, ceilingName: "bare Kestrel");
    private readonly ScenarioRow _clientCpu = new("client CPU during ingest", "cores");
    private readonly ScenarioRow _rss = new("server RSS at end of ingest", "MB", higherIsBetter: false);
    private readonly ScenarioRow _ackP50 = new("ack latency p50 @ 50k events/s", "ms", higherIsBetter: false, ceilingName: "bare Kestrel");
    private readonly ScenarioRow _ackP90 = new("ack latency p90 @ 50k events/s", "ms", higherIsBetter: false, ceilingName: "bare Kestrel");
    private readonly ScenarioRow _ackP99 = new("ack latency p99 @ 50k events/s", "ms", 10, higherIsBetter: false, ceilingName: "bare Kestrel");
    private readonly ScenarioRow _ackMax = new("ack latency max @ 50k events/s", "ms", higherIsBetter: false, ceilingName: "bare Kestrel");
    private readonly ScenarioRow _diskSyncP50 = new("disk write+fsync p50, paced pattern, no server", "ms", higherIsBetter: false);
    private readonly ScenarioRow _diskSyncP99 = new("disk write+fsync p99, paced pattern, no server", "ms", higherIsBetter: false);
    private readonly ScenarioRow _diskSyncMax = new("disk write+fsync max, paced pattern, no server", "ms", higherIsBetter: false);
    private readonly ScenarioRow _pacedRate = new("paced load achieved", "events/s");
    private readonly ScenarioRow _realtimeP50 = new("GET /v1/realtime p50 under load", "ms", higherIsBetter: false, ceilingName: "bare-Kestrel GET");
    private readonly ScenarioRow _realtimeP99 = new("GET /v1/realtime p99 under load", "ms", 5, higherIsBetter: false, ceilingName: "bare-Kestrel GET");
    private readonly ScenarioRow _engineFreshness = new("freshness p99, engine's own (ack→visible)", "ms", higherIsBetter: false);
    private readonly ScenarioRow _probeP50 = new("freshness end-to-end p50 (POST→query sees it)", "ms", higherIsBetter: false);
    private readonly ScenarioRow _probeP99 = new("freshness end-to-end p99 (POST→query sees it)", "ms", higherIsBetter: false);

    public BenchRunner(BenchSettings settings, TextWriter log)
    {
        _settings = settings;
        _log = log;
    }

    public async Task<BenchReport> RunAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset date = DateTimeOffset.UtcNow;
        // Event times follow the wall clock at about the rate the load reaches; only their spacing inside a body matters.
        Progress($"building {_settings.BodyPoolSize} bodies of {_settings.EventsPerBody} events (seed {Seed})");
        BenchBodyPool pool = await BenchBodyPool.BuildAsync(_settings.BodyPoolSize, _settings.EventsPerBody, Seed, date.ToUnixTimeMilliseconds(), 250_000, cancellationToken).ConfigureAwait(false);
        long bytes = pool.TotalBytes;
        _notes.Add(string.Create(CultureInfo.InvariantCulture, $"bodies: {_settings.EventsPerBody} events, {bytes / pool.Bodies.Count / 1024} KB each (~{bytes / ((long)pool.Bodies.Count * _settings.EventsPerBody)} B/event), ids and timestamps restamped per send"));

        int concurrency = await ChooseConcurrencyAsync(pool, cancellationToken).ConfigureAwait(false);
        for (int run = 1; run <= _settings.Repeat; run++)
        {
            Progress($"run {run}/{_settings.Repeat}: tokenizer ceiling");
            double tokenizer = TokenizerCeiling.Measure(pool.Bodies, _settings.TokenizerDuration);
            _tokenizer.Add(tokenizer);
            await RunSinkAsync(pool, concurrency, run, cancellationToken).ConfigureAwait(false);
            MeasureDiskSync(pool, run);
            await RunPulseAsync(pool, concurrency, tokenizer, run, cancellationToken).ConfigureAwait(false);
            await RunWithoutAnalyticsAsync(pool, concurrency, run, _processed.Runs[^1], cancellationToken).ConfigureAwait(false);
        }

        _notes.Add($"sustained load: {concurrency} concurrent senders, {_settings.Duration.TotalSeconds:F0} s windows after {_settings.Warmup.TotalSeconds:F0} s warm-up; paced load: {_settings.PacedRequestsPerSecond:F0} req/s × {_settings.EventsPerBody} events, measured after {_settings.PacedWarmup.TotalSeconds:F0} s at that rate; realtime polled at {_settings.RealtimeRequestsPerSecond:F0} req/s during it");
        _notes.Add("client and servers share the machine's cores: the client's CPU is taken from the server under test");
        ScenarioRow[] rows =
        [
            _tokenizer, _kestrel, _ingest, _processed, _ingestNoAnalytics, _analyticsCost, _ingestVsTokenizer, _lagAtEnd, _catchUp, _serverCpu, _clientCpu, _rss,
            _ackP50, _ackP90, _ackP99, _ackMax, _diskSyncP50, _diskSyncP99, _diskSyncMax, _pacedRate, _realtimeP50, _realtimeP99, _engineFreshness, _probeP50, _probeP99,
        ];
        return new BenchReport(MachineInfo.Current(), date, _settings, concurrency, rows, _notes);
    }

    private async Task<int> ChooseConcurrencyAsync(BenchBodyPool pool, CancellationToken cancellationToken)
    {
        if (_settings.Concurrencies.Length == 1)
        {
            return _settings.Concurrencies[0];
        }

        await using ChildServer server = await ChildServer.StartPulseAsync(_log, cancellationToken).ConfigureAwait(false);
        using var client = new IngestClient(server.BaseAddress, _settings.Concurrencies.Max());
        int best = _settings.Concurrencies[0];
        double bestRate = -1;
        var tried = new List<string>();
        foreach (int concurrency in _settings.Concurrencies)
        {
            Progress($"calibrating: {concurrency} senders for {_settings.CalibrationDuration.TotalSeconds:F0} s");
            SustainedResult result = await SustainedLoad.RunAsync(client, pool, concurrency, TimeSpan.FromSeconds(1), _settings.CalibrationDuration, server.Pid, cancellationToken).ConfigureAwait(false);
            Progress($"  {result.EventsPerSecond:N0} events/s ({result.Failures} failures)");
            tried.Add(string.Create(CultureInfo.InvariantCulture, $"{concurrency}: {result.EventsPerSecond:N0}/s"));
            if (result.EventsPerSecond > bestRate)
            {
                bestRate = result.EventsPerSecond;
                best = concurrency;
            }
        }

        _notes.Add($"concurrency calibration on one server ({string.Join(", ", tried)}); chose {best}");
        return best;
    }

    private async Task RunSinkAsync(BenchBodyPool pool, int concurrency, int run, CancellationToken cancellationToken)
    {
        Progress($"run {run}/{_settings.Repeat}: bare-Kestrel ceiling, {concurrency} senders, {_settings.Duration.TotalSeconds:F0} s");
        await using ChildServer sink = await ChildServer.StartSinkAsync(_log, cancellationToken).ConfigureAwait(false);
        using var client = new IngestClient(sink.BaseAddress, concurrency + 8);
        SustainedResult sustained = await SustainedLoad.RunAsync(client, pool, concurrency, _settings.Warmup, _settings.Duration, sink.Pid, cancellationToken).ConfigureAwait(false);
        Report("bare Kestrel", sustained);
        _kestrel.Add(sustained.EventsPerSecond);
        _ingest.AddCeiling(sustained.EventsPerSecond);
        _serverCpu.AddCeiling(sustained.ServerCpuCores);

        Progress($"run {run}/{_settings.Repeat}: bare-Kestrel paced latency, {_settings.Duration.TotalSeconds:F0} s");
        await WarmUpPacedAsync(client, pool, cancellationToken).ConfigureAwait(false);
        (PacedResult paced, double[] gets) = await PacedWithPollerAsync(client, pool, cancellationToken).ConfigureAwait(false);
        _ackP50.AddCeiling(Percentiles.NearestRank(paced.SortedLatencyMs, 50));
        _ackP90.AddCeiling(Percentiles.NearestRank(paced.SortedLatencyMs, 90));
        _ackP99.AddCeiling(Percentiles.NearestRank(paced.SortedLatencyMs, 99));
        _ackMax.AddCeiling(Percentiles.NearestRank(paced.SortedLatencyMs, 100));
        _realtimeP50.AddCeiling(Percentiles.NearestRank(gets, 50));
        _realtimeP99.AddCeiling(Percentiles.NearestRank(gets, 99));
    }

    /// <summary>The disk's own write+fsync latency for the paced load's pattern: see <see cref="DiskSyncCeiling"/>.</summary>
    private void MeasureDiskSync(BenchBodyPool pool, int run)
    {
        // The server's default: two log partitions per core, each fsyncing its share of every request.
        int files = Environment.ProcessorCount * 2;
        int perWrite = (int)(pool.TotalBytes / pool.Bodies.Count / files);
        TimeSpan duration = _settings.Duration / 2;
        Progress($"run {run}/{_settings.Repeat}: disk write+fsync, {files} files × {_settings.PacedRequestsPerSecond:F0}/s × {perWrite / 1024} KB, {duration.TotalSeconds:F0} s");
        double[] latencies = DiskSyncCeiling.Measure(files, perWrite, _settings.PacedRequestsPerSecond, duration);
        _diskSyncP50.Add(Percentiles.NearestRank(latencies, 50));
        _diskSyncP99.Add(Percentiles.NearestRank(latencies, 99));
        _diskSyncMax.Add(Percentiles.NearestRank(latencies, 100));
    }

    /// <summary>The same sustained load on a server without the per-user analytics: what they cost.</summary>
    private async Task RunWithoutAnalyticsAsync(BenchBodyPool pool, int concurrency, int run, double withAnalytics, CancellationToken cancellationToken)
    {
        Progress($"run {run}/{_settings.Repeat}: sustained ingest without analytics, {concurrency} senders, {_settings.Duration.TotalSeconds:F0} s");
        await using ChildServer server = await ChildServer.StartPulseAsync(_log, cancellationToken, "--Pulse:Analytics:Enabled=false").ConfigureAwait(false);
        using var client = new IngestClient(server.BaseAddress, concurrency + 8);
        SustainedResult sustained = await SustainedLoad.RunAsync(client, pool, concurrency, _settings.Warmup, _settings.Duration, server.Pid, cancellationToken).ConfigureAwait(false);
        Report("pulse, analytics off", sustained);
        double without = Sustainable(sustained);
        _ingestNoAnalytics.Add(without);
        _analyticsCost.Add(without <= 0 ? double.NaN : Math.Max(0, (1 - (withAnalytics / without)) * 100));
    }

    private async Task RunPulseAsync(BenchBodyPool pool, int concurrency, double tokenizer, int run, CancellationToken cancellationToken)
    {
        Progress($"run {run}/{_settings.Repeat}: sustained ingest, {concurrency} senders, {_settings.Duration.TotalSeconds:F0} s");
        await using ChildServer server = await ChildServer.StartPulseAsync(_log, cancellationToken).ConfigureAwait(false);
        using var client = new IngestClient(server.BaseAddress, concurrency + 8);
        SustainedResult sustained = await SustainedLoad.RunAsync(client, pool, concurrency, _settings.Warmup, _settings.Duration, server.Pid, cancellationToken).ConfigureAwait(false);
        Report("pulse", sustained);
        if (sustained.Failures > 0)
        {
            _notes.Add($"run {run}: {sustained.Failures} failed ingest requests (last: {sustained.LastFailure})");
        }

        _ingest.Add(sustained.EventsPerSecond);
        _processed.Add(Sustainable(sustained));
        _ingestVsTokenizer.Add(sustained.EventsPerSecond / tokenizer * 100);
        _serverCpu.Add(sustained.ServerCpuCores);
        _clientCpu.Add(sustained.ClientCpuCores);
        _rss.Add(sustained.ServerRssBytes / (1024.0 * 1024));

        (long lag, double catchUpMs) = await CatchUpAsync(client, cancellationToken).ConfigureAwait(false);
        Progress($"  lag at end {lag:N0} events, caught up in {catchUpMs:F0} ms");
        _lagAtEnd.Add(lag);
        _catchUp.Add(catchUpMs);

        Progress($"run {run}/{_settings.Repeat}: ack latency, realtime queries and freshness at {_settings.PacedRequestsPerSecond * _settings.EventsPerBody:N0} events/s, {_settings.Duration.TotalSeconds:F0} s");
        await WarmUpPacedAsync(client, pool, cancellationToken).ConfigureAwait(false);
        using var probeClient = new IngestClient(server.BaseAddress, 2);
        Task<FreshnessResult> probes = FreshnessProbe.RunAsync(probeClient, _settings.FreshnessProbes, _settings.Duration, cancellationToken);
        (PacedResult paced, double[] gets) = await PacedWithPollerAsync(client, pool, cancellationToken).ConfigureAwait(false);
        PipelineStatus? pipeline = await PipelineStatus.ReadAsync(client, cancellationToken).ConfigureAwait(false);
        FreshnessResult freshness = await probes.ConfigureAwait(false);
        Progress($"  ack p99 {Percentiles.NearestRank(paced.SortedLatencyMs, 99):F2} ms, realtime p99 {Percentiles.NearestRank(gets, 99):F2} ms, freshness probes {freshness.SortedMs.Length} (timeouts {freshness.Timeouts})");
        if (paced.Failures > 0)
        {
            _notes.Add($"run {run}: {paced.Failures} failed paced requests (last: {paced.LastFailure})");
        }

        if (freshness.Timeouts > 0)
        {
            _notes.Add($"run {run}: {freshness.Timeouts} freshness probes never became visible within 15 s");
        }

        _ackP50.Add(Percentiles.NearestRank(paced.SortedLatencyMs, 50));
        _ackP90.Add(Percentiles.NearestRank(paced.SortedLatencyMs, 90));
        _ackP99.Add(Percentiles.NearestRank(paced.SortedLatencyMs, 99));
        _ackMax.Add(Percentiles.NearestRank(paced.SortedLatencyMs, 100));
        _pacedRate.Add(paced.EventsPerSecond);
        _realtimeP50.Add(Percentiles.NearestRank(gets, 50));
        _realtimeP99.Add(Percentiles.NearestRank(gets, 99));
        _engineFreshness.Add(pipeline?.FreshnessP99Ms ?? double.NaN);
        _probeP50.Add(Percentiles.NearestRank(freshness.SortedMs, 50));
        _probeP99.Add(Percentiles.NearestRank(freshness.SortedMs, 99));
    }

    /// <summary>What both ingest and processing kept up with: accepting faster than the processors only grows the backlog.</summary>
    private static double Sustainable(SustainedResult result) =>
        double.IsNaN(result.ProcessedPerSecond) ? result.EventsPerSecond : Math.Min(result.EventsPerSecond, result.ProcessedPerSecond);

    /// <summary>Paced ingest at the paced rate, not measured: see <see cref="BenchSettings.PacedWarmup"/>.</summary>
    private Task<PacedResult> WarmUpPacedAsync(IngestClient client, BenchBodyPool pool, CancellationToken cancellationToken) =>
        PacedLoad.RunAsync(client, pool, _settings.PacedRequestsPerSecond, _settings.PacedWarmup, cancellationToken);

    /// <summary>Paced ingest with the realtime poller running beside it for the same window.</summary>
    private async Task<(PacedResult Paced, double[] Gets)> PacedWithPollerAsync(IngestClient client, BenchBodyPool pool, CancellationToken cancellationToken)
    {
        using var pollerClient = new IngestClient(client.BaseAddress, 1);
        using var stopPoller = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<double[]> poller = RealtimePoller.RunAsync(pollerClient, _settings.RealtimeRequestsPerSecond, stopPoller.Token);
        PacedResult paced;
        try
        {
            paced = await PacedLoad.RunAsync(client, pool, _settings.PacedRequestsPerSecond, _settings.Duration, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stopPoller.CancelAsync().ConfigureAwait(false);
        }

        return (paced, await poller.ConfigureAwait(false));
    }

    /// <summary>The engine's lag right after the load stops, and how long until it reports none.</summary>
    private async Task<(long Lag, double CatchUpMs)> CatchUpAsync(IngestClient client, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        long first = -1;
        while (Stopwatch.GetElapsedTime(start) < _settings.CatchUpTimeout)
        {
            PipelineStatus? status = await PipelineStatus.ReadAsync(client, cancellationToken).ConfigureAwait(false);
            if (status is PipelineStatus s)
            {
                if (first < 0)
                {
                    first = s.LagEvents;
                }

                if (s.LagEvents == 0)
                {
                    return (first, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        _notes.Add($"processing did not catch up within {_settings.CatchUpTimeout.TotalSeconds:F0} s");
        return (first, double.NaN);
    }

    private void Report(string what, SustainedResult result) =>
        Progress(string.Create(CultureInfo.InvariantCulture, $"  {what}: {result.EventsPerSecond:N0} events/s accepted{(double.IsNaN(result.ProcessedPerSecond) ? "" : $", {result.ProcessedPerSecond:N0} processed")}, {result.Requests:N0} requests, {result.Failures} failures, server CPU {result.ServerCpuCores:F2} cores, client CPU {result.ClientCpuCores:F2} cores, server RSS {result.ServerRssBytes / (1024 * 1024)} MB"));

    private void Progress(string message) => _log.WriteLine("bench: " + message);
}
