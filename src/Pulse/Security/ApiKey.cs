namespace Pulse.Security;

/// <summary>One configured key, known only by its SHA-256 hash, with the scopes it grants and a label safe to log.</summary>
public sealed class ApiKey(byte[] hash, ApiScope scopes, string label)
{
    public byte[] Hash { get; } = hash;

    public ApiScope Scopes { get; } = scopes;

    /// <summary>E.g. "write key 2": the position in its list, never any part of the key.</summary>
    public string Label { get; } = label;
}
