using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Pulse.Tests.EndToEnd;

/// <summary>Per-client token buckets on a real server: a client over its rate gets 429 problem+json with Retry-After; others do not.</summary>
[Trait("Category", "EndToEnd")]
public sealed class RateLimitTests
{
    private const string KeyA = "rate-read-a-0123456789";
    private const string KeyB = "rate-read-b-0123456789";

    [Fact]
    public async Task A_key_over_its_rate_gets_429_with_retry_after_while_another_key_and_health_are_served()
    {
        using var dir = new TempDirectory("pulse-rate");
        await using PulseProcess server = await PulseProcess.StartAsync(Path.Combine(dir.Path, "data"), null,
            "--read-key", KeyA, "--read-key", KeyB, "--Pulse:RateLimit:PermitsPerSecond=5", "--Pulse:RateLimit:Burst=5");
        using HttpClient http = server.CreateClient();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (int i = 0; i < 30 && limited is null; i++)
        {
            HttpResponseMessage response = await GetAsync(http, KeyA);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(limited);
        using (limited)
        {
            // The burst of 5 is served first.
            Assert.All(statuses.Take(5), s => Assert.Equal(HttpStatusCode.OK, s));
            Assert.True(limited.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, $"Retry-After: {limited.Headers.RetryAfter}");
            Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
            using JsonDocument problem = JsonDocument.Parse(await limited.Content.ReadAsStringAsync());
            Assert.Equal(429, problem.RootElement.GetProperty("status").GetInt32());
            Assert.Contains("read key 1", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (HttpResponseMessage other = await GetAsync(http, KeyB))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }

        for (int i = 0; i < 10; i++)
        {
            using HttpResponseMessage health = await http.GetAsync(new Uri("/health/live", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        // The bucket refills: after the advertised wait the key is served again.
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        using HttpResponseMessage again = await GetAsync(http, KeyA);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Without_a_key_the_client_address_is_limited()
    {
        using var dir = new TempDirectory("pulse-rate");
        await using PulseProcess server = await PulseProcess.StartAsync(Path.Combine(dir.Path, "data"), null,
            "--Pulse:RateLimit:PermitsPerSecond=3", "--Pulse:RateLimit:Burst=3");
        using HttpClient http = server.CreateClient();
        int limited = 0;
        for (int i = 0; i < 20 && limited == 0; i++)
        {
            using HttpResponseMessage response = await GetAsync(http, null);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited++;
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }

        Assert.Equal(1, limited);
    }

    [Fact]
    public async Task Disabled_means_no_limit()
    {
        using var dir = new TempDirectory("pulse-rate");
        await using PulseProcess server = await PulseProcess.StartAsync(Path.Combine(dir.Path, "data"), null,
            "--Pulse:RateLimit:Enabled=false", "--Pulse:RateLimit:PermitsPerSecond=1", "--Pulse:RateLimit:Burst=1");
        using HttpClient http = server.CreateClient();
        for (int i = 0; i < 20; i++)
        {
            using HttpResponseMessage response = await GetAsync(http, null);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private static Task<HttpResponseMessage> GetAsync(HttpClient http, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/metrics");
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return http.SendAsync(request);
    }
}
