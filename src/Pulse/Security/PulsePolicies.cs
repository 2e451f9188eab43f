namespace Pulse.Security;

/// <summary>
/// Authorization policy names an endpoint may name with <c>RequireAuthorization</c>. Endpoints that
/// name none get the fallback policy, which applies <see cref="ScopeRules"/> to the path.
/// </summary>
public static class PulsePolicies
{
    public const string Write = "pulse:write";
    public const string Read = "pulse:read";
    public const string Admin = "pulse:admin";
}
