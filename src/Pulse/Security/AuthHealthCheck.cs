using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pulse.Security;

/// <summary>
/// Degraded while the server is open (no keys) and reachable beyond this machine: it serves, but
/// anyone who can reach it may send and read data.
/// </summary>
public sealed class AuthHealthCheck(ApiKeyStore keys, ListenExposure exposure) : IHealthCheck
{
    public const string Name = "auth";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> exposed = exposure.ExposedAddresses();
        return Task.FromResult(Evaluate(keys, exposed));
    }

    public static HealthCheckResult Evaluate(ApiKeyStore keys, IReadOnlyList<string> exposedAddresses)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(exposedAddresses);
        var data = new Dictionary<string, object>
        {
            ["write_keys"] = keys.WriteKeys,
            ["read_keys"] = keys.ReadKeys,
            ["admin_keys"] = keys.AdminKeys,
            ["exposed_addresses"] = exposedAddresses.Count,
        };
        if (!keys.IsOpen)
        {
            return HealthCheckResult.Healthy($"{keys.Count} API keys configured.", data);
        }

        return exposedAddresses.Count == 0
            ? HealthCheckResult.Healthy("No API keys: open, but listening on loopback only.", data)
            : HealthCheckResult.Degraded($"No API keys while listening on {string.Join(", ", exposedAddresses)}: anyone who can reach it may send and read data. Configure Pulse:Auth keys.", data: data);
    }
}
