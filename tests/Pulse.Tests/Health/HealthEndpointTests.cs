using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Pulse.Hosting;
using Pulse.Tests.EndToEnd;

namespace Pulse.Tests.Health;

/// <summary>The readiness contract on a real server: 200 Healthy or Degraded with every check's detail, 503 Unhealthy.</summary>
[Trait("Category", "EndToEnd")]
public sealed class HealthEndpointTests
{
    private static readonly string[] Checks = ["log", "store", "processing", "checkpoint", "dedupe"];

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyAsync(PulseProcess server)
    {
        using HttpClient http = server.CreateClient();
        using HttpResponseMessage response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task Ready_is_200_healthy_with_every_check()
    {
        using var dir = new TempDirectory("pulse-health");
        await using PulseProcess server = await PulseProcess.StartAsync(Path.Combine(dir.Path, "data"));
        (HttpStatusCode status, JsonElement body) = await ReadyAsync(server);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        foreach (string check in Checks)
        {
            Assert.Equal("Healthy", body.GetProperty("checks").GetProperty(check).GetProperty("status").GetString());
        }

        Assert.True(body.GetProperty("checks").GetProperty("log").GetProperty("free_bytes").GetInt64() > 0);
        Assert.True(body.GetProperty("checks").GetProperty("checkpoint").TryGetProperty("checkpoint_age_ms", out _));
        Assert.True(body.GetProperty("checks").GetProperty("processing").TryGetProperty("lag_ms", out _));
        using HttpClient http = server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Ready_is_200_degraded_when_a_check_is_degraded()
    {
        using var dir = new TempDirectory("pulse-health");
        await using PulseProcess server = await PulseProcess.StartAsync(Path.Combine(dir.Path, "data"), null,
            $"--Pulse:Health:DiskFreeDegradedBytes={long.MaxValue}");
        (HttpStatusCode status, JsonElement body) = await ReadyAsync(server);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Degraded", body.GetProperty("status").GetString());
        Assert.Equal("Degraded", body.GetProperty("checks").GetProperty("log").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("store").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_is_503_unhealthy_when_a_check_is_unhealthy_while_live_stays_200()
    {
        using var dir = new TempDirectory("pulse-health");
        await using PulseProcess server = await PulseProcess.StartLiveAsync(Path.Combine(dir.Path, "data"),
            $"--Pulse:Health:DiskFreeDegradedBytes={long.MaxValue}", $"--Pulse:Health:DiskFreeUnhealthyBytes={long.MaxValue}");
        (HttpStatusCode status, JsonElement body) = await ReadyAsync(server);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", body.GetProperty("status").GetString());
        JsonElement log = body.GetProperty("checks").GetProperty("log");
        Assert.Equal("Unhealthy", log.GetProperty("status").GetString());
        Assert.Contains("free on the data disk", log.GetProperty("description").GetString(), StringComparison.Ordinal);
        using HttpClient http = server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
    }

    [Theory]
    [InlineData("--Pulse:Health:DiskFreeUnhealthyBytes=2000", "--Pulse:Health:DiskFreeDegradedBytes=1000", "DiskFreeUnhealthyBytes")]
    [InlineData("--Pulse:Health:CheckpointDegradedAge=00:05:00", "--Pulse:Health:CheckpointUnhealthyAge=00:01:00", "CheckpointUnhealthyAge")]
    [InlineData("--Pulse:Health:LagDegradedAge=00:05:00", "--Pulse:Health:LagUnhealthyAge=00:01:00", "LagUnhealthyAge")]
    [InlineData("--Pulse:Health:LagDegradedEvents=-1", "--Pulse:Health:LagDegradedAge=00:00:01", "LagDegradedEvents")]
    [InlineData("--Pulse:Processing:CheckpointInterval=00:00:05", "--Pulse:Processing:RollupCheckpointInterval=00:00:02", "Pulse:Processing:RollupCheckpointInterval")]
    [InlineData("--Pulse:Processing:BatchSize=0", "--Pulse:Processing:AllowedLateness=00:00:01", "Pulse:Processing:BatchSize")]
    [InlineData("--Pulse:Log:Partitions=999", "--Pulse:Log:Fsync=true", "Pulse:Log:Partitions")]
    [InlineData("--Pulse:Ingest:MaxDepth=1", "--Pulse:Ingest:MaxProperties=10", "Pulse:Ingest:MaxDepth")]
    [InlineData("--Pulse:Store:Kind=Postgres", "--Pulse:Store:RetentionDays=00:00:00", "Pulse:Store:Postgres")]
    public async Task Invalid_or_inconsistent_settings_of_any_section_stop_the_server_at_start(string first, string second, string named)
    {
        using var dir = new TempDirectory("pulse-health");
        WebApplication app = PulseServer.Build(["--urls", "http://127.0.0.1:0", $"--Pulse:DataDirectory={Path.Combine(dir.Path, "data")}", first, second]);
        await using (app)
        {
            var failure = await Assert.ThrowsAnyAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => app.StartAsync());
            Assert.Contains(named, failure.Message, StringComparison.Ordinal);
        }
    }
}
