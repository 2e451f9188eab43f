using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pulse.Security;

namespace Pulse.Tests.Security;

public sealed class ScopeRulesTests
{
    [Theory]
    [InlineData("POST", "/v1/events", false, ApiScope.Write)]
    [InlineData("POST", "/v1/track", false, ApiScope.Write)]
    [InlineData("POST", "/v1/batch", false, ApiScope.Write)]
    [InlineData("GET", "/v1/events", false, ApiScope.Read)]
    [InlineData("GET", "/v1/metrics", false, ApiScope.Read)]
    [InlineData("GET", "/v1/metrics/events", false, ApiScope.Read)]
    [InlineData("GET", "/v1/realtime", false, ApiScope.Read)]
    [InlineData("GET", "/v1/live", false, ApiScope.Read)]
    [InlineData("GET", "/v1/funnels/checkout", false, ApiScope.Read)]
    [InlineData("HEAD", "/v1/metrics", false, ApiScope.Read)]
    [InlineData("GET", "/v1/definitions", false, ApiScope.Admin)]
    [InlineData("PUT", "/v1/definitions/x", false, ApiScope.Admin)]
    [InlineData("DELETE", "/V1/Definitions/x", false, ApiScope.Admin)]
    [InlineData("POST", "/v1/metrics", false, ApiScope.Admin)]
    [InlineData("DELETE", "/v1/events", false, ApiScope.Admin)]
    [InlineData("GET", "/", false, ApiScope.None)]
    [InlineData("GET", "/index.html", false, ApiScope.None)]
    [InlineData("GET", "/health/ready", false, ApiScope.None)]
    [InlineData("GET", "/health/live", true, ApiScope.None)]
    [InlineData("GET", "/metrics", false, ApiScope.None)]
    [InlineData("GET", "/metrics", true, ApiScope.Read)]
    [InlineData("GET", "/v1x", false, ApiScope.None)]
    public void Each_request_needs_the_scope_of_its_method_and_path(string method, string path, bool metricsRequireKey, ApiScope expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        Assert.Equal(expected, ScopeRules.Required(context.Request, metricsRequireKey));
    }

    [Theory]
    [InlineData("http://localhost:8080", true)]
    [InlineData("http://127.0.0.1:8080", true)]
    [InlineData("http://127.0.0.5:8080", true)]
    [InlineData("https://[::1]:8443", true)]
    [InlineData("http://unix:/run/pulse.sock", true)]
    [InlineData("http://0.0.0.0:8080", false)]
    [InlineData("http://[::]:8080", false)]
    [InlineData("http://*:8080", false)]
    [InlineData("http://+:8080", false)]
    [InlineData("http://10.0.0.4:8080", false)]
    [InlineData("http://pulse.example.com", false)]
    public void Listen_addresses_beyond_loopback_are_exposed(string address, bool local) => Assert.Equal(local, ListenExposure.IsLocal(address));

    [Fact]
    public void The_auth_check_is_degraded_only_when_open_and_exposed()
    {
        ApiKeyStore open = ApiKeyStore.FromOptions(new ApiKeyOptions());
        ApiKeyStore keyed = ApiKeyStore.FromOptions(new ApiKeyOptions { ReadKeys = ["read-key-0123456789a"] });
        Assert.Equal(HealthStatus.Healthy, AuthHealthCheck.Evaluate(open, ListenExposure.Exposed(["http://127.0.0.1:1"])).Status);
        Assert.Equal(HealthStatus.Degraded, AuthHealthCheck.Evaluate(open, ListenExposure.Exposed(["http://127.0.0.1:1", "http://[::]:2"])).Status);
        Assert.Equal(HealthStatus.Healthy, AuthHealthCheck.Evaluate(keyed, ListenExposure.Exposed(["http://[::]:2"])).Status);
    }
}
