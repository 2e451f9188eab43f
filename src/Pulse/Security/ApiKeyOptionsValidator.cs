using Microsoft.Extensions.Options;

namespace Pulse.Security;

/// <summary>
/// Keys must be long enough to resist guessing and made of HTTP token characters, so the same key
/// works in an <c>Authorization</c> header and as a WebSocket subprotocol. Errors never quote a key.
/// </summary>
public sealed class ApiKeyOptionsValidator : IValidateOptions<ApiKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        Check(options.WriteKeys, nameof(ApiKeyOptions.WriteKeys), errors);
        Check(options.ReadKeys, nameof(ApiKeyOptions.ReadKeys), errors);
        Check(options.AdminKeys, nameof(ApiKeyOptions.AdminKeys), errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(string[] keys, string list, List<string> errors)
    {
        for (int i = 0; i < keys.Length; i++)
        {
            string key = keys[i] ?? "";
            if (key.Length < ApiKeyOptions.MinKeyLength || key.Length > ApiKeyOptions.MaxKeyLength)
            {
                errors.Add($"{ApiKeyOptions.SectionName}:{list} entry {i + 1} is {key.Length} characters long; keys must have {ApiKeyOptions.MinKeyLength} to {ApiKeyOptions.MaxKeyLength} (e.g. `openssl rand -hex 32`).");
            }
            else if (!IsToken(key))
            {
                errors.Add($"{ApiKeyOptions.SectionName}:{list} entry {i + 1} has a character outside letters, digits and !#$%&'*+-.^_`|~ (keys travel in headers and WebSocket subprotocols).");
            }
        }
    }

    /// <summary>RFC 9110 token characters.</summary>
    internal static bool IsToken(ReadOnlySpan<char> value)
    {
        foreach (char c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && "!#$%&'*+-.^_`|~".IndexOf(c) < 0)
            {
                return false;
            }
        }

        return true;
    }
}
