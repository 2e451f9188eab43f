using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Pulse.Security;

/// <summary>Grants a request when no keys are configured, when it needs no scope, or when its key holds the scope.</summary>
public sealed class ScopeAuthorizationHandler(ApiKeyStore keys, IOptions<ApiKeyOptions> options) : AuthorizationHandler<ScopeRequirement>
{
    private readonly bool _metricsRequireKey = options.Value.MetricsRequireKey;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (keys.IsOpen)
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }

        ApiScope needed = context.Resource is HttpContext http ? requirement.For(http.Request, _metricsRequireKey) : requirement.Scope ?? ApiScope.Admin;
        if (needed == ApiScope.None || (context.User.Identity is ApiKeyIdentity identity && (identity.Key.Scopes & needed) == needed))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
