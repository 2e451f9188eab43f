namespace Pulse.Security;

/// <summary>
/// API keys by scope, bound from <c>Pulse:Auth</c> (and <c>serve --write-key/--read-key/--admin-key</c>).
/// No key at all leaves every endpoint open, the development default.
/// </summary>
public sealed class ApiKeyOptions
{
    public const string SectionName = "Pulse:Auth";

    /// <summary>Shortest key accepted: a key is a password that cannot be rate limited per user.</summary>
    public const int MinKeyLength = 16;

    public const int MaxKeyLength = 256;

    public string[] WriteKeys { get; set; } = [];
    public string[] ReadKeys { get; set; } = [];
    public string[] AdminKeys { get; set; } = [];

    /// <summary>Whether Prometheus scrapes of <c>GET /metrics</c> need a read key; scrapers usually send none.</summary>
    public bool MetricsRequireKey { get; set; }
}
