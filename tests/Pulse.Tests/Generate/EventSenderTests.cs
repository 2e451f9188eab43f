using System.Net;
using System.Net.Sockets;
using Pulse.Generate;

namespace Pulse.Tests.Generate;

public class EventSenderTests
{
    [Fact]
    public async Task Retries_after_503_resend_identical_bodies_and_the_summary_counts_them()
    {
        await using FakeIngestServer server = await FakeIngestServer.StartAsync(unavailableRequests: 1);
        GeneratorSettings settings = GeneratorRun.Settings(seed: 17, count: 5_000);
        settings.Target = server.BaseAddress;
        settings.BatchSize = 1_000;
        settings.Concurrency = 1;
        settings.Key = "secret-key";

        GenerateSummary summary = await TrafficGenerator.RunAsync(settings, TextWriter.Null, CancellationToken.None);

        // Six POSTs: the first batch twice (503, then its retry), then the other four.
        Assert.Equal(6, server.Bodies.Count);
        Assert.Equal(server.Bodies[0], server.Bodies[1]);
        Assert.True(server.ArrivalTimes[1] - server.ArrivalTimes[0] >= TimeSpan.FromMilliseconds(900), "the retry waited for Retry-After");
        Assert.All(server.Authorizations, auth => Assert.Equal("Bearer secret-key", auth));

        // What was sent is exactly what --out would have written for the same settings.
        GeneratorSettings fileSettings = GeneratorRun.Settings(seed: 17, count: 5_000);
        (byte[] expected, GenerateSummary fileSummary) = GeneratorRun.Write(fileSettings);
        Assert.Equal(expected, server.Bodies.Skip(1).SelectMany(b => b).ToArray());

        Assert.Equal(5_000, summary.Sent);
        Assert.Equal(5_000, summary.Accepted);
        Assert.Equal(0, summary.Duplicates);
        Assert.Equal(0, summary.Rejected);
        Assert.Equal(1, summary.Retries);
        Assert.Equal(0, summary.FailedBatches);
        Assert.NotNull(summary.AckLatencyP50Ms);
        Assert.True(summary.AckLatencyP99Ms >= summary.AckLatencyP50Ms);
        Assert.Equal(fileSummary.Truth.Events, summary.Truth.Events);
        Assert.Equal(fileSummary.Truth.Revenue, summary.Truth.Revenue);
        Assert.Equal(fileSummary.Truth.UniqueUsers, summary.Truth.UniqueUsers);
        Assert.Equal(server.UniqueEvents, summary.Truth.Events);
    }

    [Fact]
    public async Task Duplicate_batches_are_resent_with_the_same_ids_and_counted_once()
    {
        await using FakeIngestServer server = await FakeIngestServer.StartAsync(unavailableRequests: 0);
        GeneratorSettings settings = GeneratorRun.Settings(seed: 23, count: 10_000);
        settings.Target = server.BaseAddress;
        settings.BatchSize = 250;
        settings.Concurrency = 4;
        settings.DuplicateShare = 0.5;

        GenerateSummary summary = await TrafficGenerator.RunAsync(settings, TextWriter.Null, CancellationToken.None);

        Assert.Equal(10_000, summary.Accepted);
        Assert.True(summary.Duplicates > 1_000, $"{summary.Duplicates} duplicates");
        Assert.Equal(10_000 + summary.Duplicates, summary.Sent);
        Assert.Equal(10_000, summary.Truth.Events);
        Assert.Equal(10_000, server.UniqueEvents);
        Assert.Equal(0, summary.FailedBatches);
    }

    [Fact]
    public async Task Unreachable_server_fails_batches_after_retries_and_acknowledges_nothing()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there any more: connections are refused

        GeneratorSettings settings = GeneratorRun.Settings(seed: 1, count: 100);
        settings.Target = new Uri($"http://127.0.0.1:{port}");
        settings.MaxRetries = 2;

        GenerateSummary summary = await TrafficGenerator.RunAsync(settings, TextWriter.Null, CancellationToken.None);

        Assert.Equal(100, summary.Sent);
        Assert.Equal(2, summary.Retries);
        Assert.Equal(1, summary.FailedBatches);
        Assert.Equal(0, summary.Accepted);
        Assert.Equal(0, summary.Truth.Events);
        Assert.Null(summary.Truth.MinEventTimeMs);
    }

    [Fact]
    public async Task Duration_ends_production_even_while_senders_are_stuck_retrying()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        GeneratorSettings settings = GeneratorRun.Settings(seed: 1, count: 0);
        settings.Count = null;
        settings.Duration = TimeSpan.FromMilliseconds(300);
        settings.Target = new Uri($"http://127.0.0.1:{port}");
        settings.MaxRetries = 1;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        GenerateSummary summary = await TrafficGenerator.RunAsync(settings, TextWriter.Null, CancellationToken.None);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.False(summary.Cancelled);
        Assert.True(summary.Sent > 0);
        Assert.Equal(summary.Sent, summary.FailedBatches * settings.BatchSize);
        Assert.Equal(summary.FailedBatches, summary.Retries);
        Assert.Equal(0, summary.Truth.Events);
    }

    [Fact]
    public async Task Cancellation_stops_a_paced_run_and_still_summarizes()
    {
        await using FakeIngestServer server = await FakeIngestServer.StartAsync(unavailableRequests: 0);
        GeneratorSettings settings = GeneratorRun.Settings(seed: 3, count: 1_000_000);
        settings.Target = server.BaseAddress;
        settings.Rate = 2_000;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(600));

        GenerateSummary summary = await TrafficGenerator.RunAsync(settings, TextWriter.Null, cancel.Token);

        Assert.True(summary.Cancelled);
        Assert.InRange(summary.Truth.Events, 100, 3_000);
        // A request aborted at the very end may have been stored without its 202 reaching us.
        Assert.True(server.UniqueEvents >= summary.Truth.Events);
        Assert.Equal(summary.Accepted, summary.Truth.Events);
    }
}
