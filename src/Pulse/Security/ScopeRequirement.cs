using Microsoft.AspNetCore.Authorization;

namespace Pulse.Security;

/// <summary>
/// Needs a key with <see cref="Scope"/>; with no fixed scope (the fallback policy), the scope
/// <see cref="ScopeRules"/> gives for the request.
/// </summary>
public sealed class ScopeRequirement(ApiScope? scope) : IAuthorizationRequirement
{
    public ApiScope? Scope { get; } = scope;

    public ApiScope For(HttpRequest request, bool metricsRequireKey) => Scope ?? ScopeRules.Required(request, metricsRequireKey);
}
