using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Pulse.Hosting;

namespace Pulse.Security;

/// <summary>
/// Security and self-protection of the web host in one place: API keys and scopes, per-client
/// rate limits, CORS for browser tracking, security headers, and the bounded graceful shutdown.
/// </summary>
public static class SecurityExtensions
{
    public static WebApplicationBuilder AddPulseSecurity(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        ConfigurationManager configuration = builder.Configuration;

        services.AddOptions<ApiKeyOptions>().Bind(configuration.GetSection(ApiKeyOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiKeyOptions>, ApiKeyOptionsValidator>();
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TrackingCorsOptions>().Bind(configuration.GetSection(TrackingCorsOptions.SectionName))
            .Validate(o => Array.TrueForAll(o.AllowedOrigins, IsOrigin), "Pulse:Cors:AllowedOrigins entries must be '*' or an origin like 'https://shop.example.com' (scheme and host, no path).")
            .ValidateOnStart();
        ShutdownOptions.AddTo(services, configuration);

        services.AddSingleton(sp => ApiKeyStore.FromOptions(sp.GetRequiredService<IOptions<ApiKeyOptions>>().Value));
        services.AddSingleton<ListenExposure>();
        services.AddHostedService<SecurityStartupWarnings>();
        services.AddHealthChecks().AddCheck<AuthHealthCheck>(AuthHealthCheck.Name);

        // The core only: AddAuthentication would also bring data protection, which writes a key ring
        // at start for cookie schemes Pulse does not have.
        services.AddAuthenticationCore(o =>
        {
            o.AddScheme<ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
            o.DefaultScheme = ApiKeyAuthenticationHandler.SchemeName;
        });
        services.AddWebEncoders();
        services.AddOptions<AuthenticationSchemeOptions>(ApiKeyAuthenticationHandler.SchemeName);
        services.AddSingleton<IAuthorizationHandler, ScopeAuthorizationHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ScopeResultHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(PulsePolicies.Write, p => p.AddRequirements(new ScopeRequirement(ApiScope.Write)))
            .AddPolicy(PulsePolicies.Read, p => p.AddRequirements(new ScopeRequirement(ApiScope.Read)))
            .AddPolicy(PulsePolicies.Admin, p => p.AddRequirements(new ScopeRequirement(ApiScope.Admin)))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().AddRequirements(new ScopeRequirement(null)).Build());

        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, options) => ClientRateLimiter.Configure(limiter, options.Value));
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<TrackingCorsOptions>>((cors, options) => cors.AddPolicy(TrackingCorsOptions.PolicyName, policy =>
        {
            string[] origins = options.Value.AllowedOrigins;
            if (Array.IndexOf(origins, "*") >= 0)
            {
                policy.AllowAnyOrigin();
            }
            else
            {
                policy.WithOrigins(origins);
            }

            policy.WithMethods(HttpMethods.Post)
                .WithHeaders("Content-Type", "Content-Encoding", "Authorization")
                .SetPreflightMaxAge(options.Value.PreflightMaxAge);
        }));
        return builder;
    }

    /// <summary>
    /// Headers first (every response has them), then CORS (a preflight carries no key), then who
    /// the caller is, their rate limit, and whether their key may do what they ask.
    /// </summary>
    public static WebApplication UsePulseSecurity(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(SecurityHeaders.Apply);
        if (app.Services.GetRequiredService<IOptions<TrackingCorsOptions>>().Value.AllowedOrigins.Length > 0)
        {
            app.UseWhen(context => ScopeRules.IsWritePath(context.Request.Path), branch => branch.UseCors(TrackingCorsOptions.PolicyName));
        }

        app.UseAuthentication();
        if (app.Services.GetRequiredService<IOptions<RateLimitOptions>>().Value.Enabled)
        {
            app.UseRateLimiter();
        }

        app.UseAuthorization();
        return app;
    }

    private static bool IsOrigin(string origin) =>
        origin == "*" || (Uri.TryCreate(origin, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/" && !origin.EndsWith('/'));
}
