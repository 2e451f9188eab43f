using System.Text;
using System.Text.Json;

namespace Pulse.Tests.EndToEnd;

/// <summary>
/// Bodies that arrive too slowly or end early are the client's fault: a 4xx problem, not the 500
/// they were before (found by the hostile-input suite, tests/Pulse.Tests/Reliability).
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class SlowBodyTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly string[] Json = ["Content-Type: application/json"];

    [Theory]
    [InlineData("POST", "/v1/events", "Body too slow")]
    [InlineData("POST", "/v1/track", "Body too slow")]
    [InlineData("PUT", "/v1/definitions/stalled", null)]
    public async Task A_body_stalled_below_the_minimum_data_rate_gets_408(string method, string path, string? title)
    {
        // Declares 1000 bytes, sends 10, then nothing: Kestrel gives up after its 5 s grace period.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using RawHttpConnection connection = await RawHttpConnection.OpenAsync(fixture.Server.Port, timeout.Token);
        await connection.SendAsync(RawHttpConnection.Head(method, path, [.. Json, "Content-Length: 1000"]), timeout.Token);
        await connection.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"p"), timeout.Token);
        (int? status, string head, string body) = await connection.ReadResponseAsync(timeout.Token);

        Assert.True(status == 408, $"expected 408, got {status}: {head}\n{body}");
        Assert.Contains("Content-Type: application/problem+json", head, StringComparison.OrdinalIgnoreCase);
        using JsonDocument problem = JsonDocument.Parse(body);
        Assert.Equal(408, problem.RootElement.GetProperty("status").GetInt32());
        if (title is not null)
        {
            Assert.Equal(title, problem.RootElement.GetProperty("title").GetString());
            Assert.Contains("MinRequestBodyDataRate", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_chunked_body_with_broken_framing_gets_400_problem_json()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using RawHttpConnection connection = await RawHttpConnection.OpenAsync(fixture.Server.Port, timeout.Token);
        await connection.SendAsync(RawHttpConnection.Head("POST", "/v1/events", [.. Json, "Transfer-Encoding: chunked"]), timeout.Token);
        await connection.SendAsync(Encoding.ASCII.GetBytes("5\r\n{\"typ\r\nzz\r\nnot a chunk\r\n"), timeout.Token);
        (int? status, string head, string body) = await connection.ReadResponseAsync(timeout.Token);

        Assert.True(status == 400, $"expected 400, got {status}: {head}\n{body}");
        using JsonDocument problem = JsonDocument.Parse(body);
        Assert.Equal("Incomplete body", problem.RootElement.GetProperty("title").GetString());
    }
}
