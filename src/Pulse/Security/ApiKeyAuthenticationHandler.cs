using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Pulse.Security;

/// <summary>
/// Reads <c>Authorization: Bearer KEY</c>, or on a WebSocket handshake (browsers cannot set headers
/// there) a subprotocol <c>pulse.bearer.KEY</c> offered beside <c>pulse.v1</c>, or on the Segment
/// endpoints HTTP basic auth with the key as the user name (how Segment's SDKs send their write
/// key). Challenges and forbids are answered by <see cref="ScopeResultHandler"/> as problem+json.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyStore keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    public const string SubprotocolPrefix = "pulse.bearer.";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (keys.IsOpen)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        // The failure messages are logged by the framework: they must never contain the key.
        return Task.FromResult(ReadKey(Request, out ReadOnlySpan<char> presented) switch
        {
            KeyPresence.None => AuthenticateResult.NoResult(),
            KeyPresence.Malformed => AuthenticateResult.Fail(ScopeRules.IsSegmentPath(Request.Path)
                ? "The Authorization header is not 'Bearer KEY' or 'Basic base64(KEY:)'."
                : "The Authorization header is not 'Bearer KEY'."),
            _ => keys.Find(presented) is { } key
                ? AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ApiKeyIdentity(key)), SchemeName))
                : AuthenticateResult.Fail("The API key is not one of the configured keys."),
        });
    }

    /// <summary>Whether the request carries a key (header, or subprotocol on a WebSocket handshake), and which.</summary>
    public static KeyPresence ReadKey(HttpRequest request, out ReadOnlySpan<char> key)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? authorization = request.Headers.Authorization;
        if (!string.IsNullOrEmpty(authorization))
        {
            ReadOnlySpan<char> value = authorization.AsSpan().Trim();
            if (value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                key = value[7..].Trim();
                return KeyPresence.Present;
            }

            // Basic only where Segment's SDKs need it: everywhere else one way to send a key is enough.
            if (value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) && ScopeRules.IsSegmentPath(request.Path)
                && TryReadBasicUser(value[6..].Trim(), out key))
            {
                return KeyPresence.Present;
            }

            key = default;
            return KeyPresence.Malformed;
        }

        return TryGetSubprotocolKey(request, out key) ? KeyPresence.Present : KeyPresence.None;
    }

    /// <summary>The user name of <c>base64(user:password)</c>; Segment sends <c>base64(writeKey:)</c>.</summary>
    private static bool TryReadBasicUser(ReadOnlySpan<char> credentials, out ReadOnlySpan<char> user)
    {
        user = default;
        Span<byte> decoded = stackalloc byte[768];
        if (credentials.Length > 1024 || !Convert.TryFromBase64Chars(credentials, decoded, out int length))
        {
            return false;
        }

        int colon = decoded[..length].IndexOf((byte)':');
        ReadOnlySpan<byte> name = colon < 0 ? decoded[..length] : decoded[..colon];
        if (name.IsEmpty || !System.Text.Unicode.Utf8.IsValid(name))
        {
            return false;
        }

        // The caller keeps the key past this frame; basic auth is used on batch endpoints, so one small string per request is fine.
        user = System.Text.Encoding.UTF8.GetString(name);
        return true;
    }

    private static bool TryGetSubprotocolKey(HttpRequest request, out ReadOnlySpan<char> key)
    {
        key = default;
        StringValues offered = request.Headers.SecWebSocketProtocol;
        if (offered.Count == 0 || !request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        foreach (string? header in offered)
        {
            foreach (Range range in header.AsSpan().Split(','))
            {
                ReadOnlySpan<char> protocol = header.AsSpan()[range].Trim();
                if (protocol.StartsWith(SubprotocolPrefix, StringComparison.Ordinal))
                {
                    key = protocol[SubprotocolPrefix.Length..];
                    return true;
                }
            }
        }

        return false;
    }
}

public enum KeyPresence
{
    None,
    Malformed,
    Present,
}
