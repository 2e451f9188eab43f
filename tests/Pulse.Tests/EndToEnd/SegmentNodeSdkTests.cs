using System.Diagnostics;
using System.Net.Http.Headers;

namespace Pulse.Tests.EndToEnd;

/// <summary>
/// Segment's own Node SDK (<c>@segment/analytics-node</c>, installed from npm into tests/segment-node
/// by ./test.sh) sends to a live server with a write key, changing only its host; the query API must
/// then count every event under its Pulse type.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class SegmentNodeSdkTests(SecuredServerFixture fixture) : IClassFixture<SecuredServerFixture>
{
    private static readonly string SdkDirectory = Path.Combine(RepoPaths.Root, "tests", "segment-node");

    [Fact]
    public async Task Events_sent_by_segments_node_sdk_are_counted()
    {
        Assert.True(Directory.Exists(Path.Combine(SdkDirectory, "node_modules", "@segment", "analytics-node")),
            $"@segment/analytics-node is not installed: run ./test.sh, or `npm ci` in {SdkDirectory}.");
        string run = "sdk-" + Guid.NewGuid().ToString("N")[..10];

        (int exitCode, string output) = await RunNodeAsync(run);
        Assert.True(exitCode == 0, $"node send.mjs exited with {exitCode}:\n{output}\nserver:\n{fixture.Server.Output}");

        using HttpClient http = fixture.Server.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SecuredServerFixture.ReadKey);
        var metrics = new MetricsClient(http);
        Dictionary<string, decimal> byType = await SegmentApiTests.WaitForAsync(metrics, "events", "type", run, t => t.Values.Sum() >= 7);
        Assert.Equal(
            new Dictionary<string, decimal>
            {
                ["identify"] = 1,
                ["page_view"] = 2,
                ["add_to_cart"] = 1,
                ["checkout"] = 1,
                ["purchase"] = 1,
                ["newsletter_signed_up"] = 1,
            },
            byType);
        long from = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds(), to = DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeMilliseconds();
        Assert.Equal(20m, (await metrics.TotalsAsync("revenue", from, to, null, [$"country:{run}"]))[""]);
        Assert.Equal(1m, (await metrics.TotalsAsync("orders", from, to, null, [$"country:{run}"]))[""]);
        Assert.Equal(2m, (await metrics.TotalsAsync("unique_users", from, to, null, [$"country:{run}"]))[""]);
    }

    private async Task<(int ExitCode, string Output)> RunNodeAsync(string run)
    {
        var info = new ProcessStartInfo("node", ["send.mjs"])
        {
            WorkingDirectory = SdkDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["PULSE_HOST"] = fixture.Server.BaseAddress.ToString().TrimEnd('/');
        info.Environment["PULSE_WRITE_KEY"] = SecuredServerFixture.WriteKey;
        info.Environment["PULSE_RUN"] = run;
        using var process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
