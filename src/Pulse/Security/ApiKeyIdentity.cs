using System.Security.Claims;

namespace Pulse.Security;

/// <summary>The caller authenticated by an API key; carries the key's scopes without any claim lookups.</summary>
public sealed class ApiKeyIdentity(ApiKey key) : ClaimsIdentity(ApiKeyAuthenticationHandler.SchemeName)
{
    public ApiKey Key { get; } = key;

    public override string Name => Key.Label;
}
