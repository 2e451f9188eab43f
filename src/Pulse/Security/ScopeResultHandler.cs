using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;
using Pulse.Http;

namespace Pulse.Security;

/// <summary>
/// 401 (no key, or not a configured key; with <c>WWW-Authenticate: Bearer</c>) and 403 (a valid key
/// without the scope), both problem+json naming the scope the request needs.
/// </summary>
public sealed class ScopeResultHandler(IOptions<ApiKeyOptions> options) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();
    private readonly bool _metricsRequireKey = options.Value.MetricsRequireKey;

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        if (!authorizeResult.Challenged && !authorizeResult.Forbidden)
        {
            return _default.HandleAsync(next, context, policy, authorizeResult);
        }

        string scope = ScopeRules.Describe(NeededScope(context, authorizeResult));
        if (authorizeResult.Forbidden)
        {
            string holder = context.User.Identity?.Name ?? "This key";
            return Problems.Create(403, "Key lacks the scope",
                $"The key used ({holder}) may not do this: {context.Request.Method} {context.Request.Path} needs a {scope} key.").ExecuteAsync(context);
        }

        bool presented = ApiKeyAuthenticationHandler.ReadKey(context.Request, out _) != KeyPresence.None;
        string bearer = presented ? "Bearer realm=\"pulse\", error=\"invalid_token\"" : "Bearer realm=\"pulse\"";
        if (ScopeRules.IsSegmentPath(context.Request.Path))
        {
            // Segment's SDKs authenticate with basic auth: offer it beside Bearer.
            context.Response.Headers.WWWAuthenticate = new Microsoft.Extensions.Primitives.StringValues([bearer, "Basic realm=\"pulse\""]);
            return presented
                ? Problems.Create(401, "Invalid API key", $"The key sent is not a configured key. {context.Request.Method} {context.Request.Path} needs a {scope} key: basic auth with the key as the user name (Segment's write key), or 'Authorization: Bearer KEY'.").ExecuteAsync(context)
                : Problems.Create(401, "API key required", $"{context.Request.Method} {context.Request.Path} needs a {scope} key: basic auth with the key as the user name (set it as the Segment SDK's write key), or 'Authorization: Bearer KEY'.").ExecuteAsync(context);
        }

        context.Response.Headers.WWWAuthenticate = bearer;
        return presented
            ? Problems.Create(401, "Invalid API key", $"The key sent is not a configured key. {context.Request.Method} {context.Request.Path} needs a {scope} key: 'Authorization: Bearer KEY'.").ExecuteAsync(context)
            : Problems.Create(401, "API key required",
                $"{context.Request.Method} {context.Request.Path} needs a {scope} key: send 'Authorization: Bearer KEY' (a browser WebSocket may offer the subprotocol '{ApiKeyAuthenticationHandler.SubprotocolPrefix}KEY' beside 'pulse.v1').").ExecuteAsync(context);
    }

    private ApiScope NeededScope(HttpContext context, PolicyAuthorizationResult result)
    {
        foreach (IAuthorizationRequirement requirement in result.AuthorizationFailure?.FailedRequirements ?? [])
        {
            if (requirement is ScopeRequirement scope)
            {
                return scope.For(context.Request, _metricsRequireKey);
            }
        }

        return ScopeRules.Required(context.Request, _metricsRequireKey);
    }
}
