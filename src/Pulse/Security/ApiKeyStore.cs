using System.Security.Cryptography;
using System.Text;

namespace Pulse.Security;

/// <summary>
/// The configured keys, held only as SHA-256 hashes. A presented key is hashed and compared with
/// every stored hash in constant time, so neither the comparison nor the number of keys tried
/// tells an attacker how close a guess was.
/// </summary>
public sealed class ApiKeyStore
{
    private readonly ApiKey[] _keys;

    private ApiKeyStore(ApiKey[] keys)
    {
        _keys = keys;
        foreach (ApiKey key in keys)
        {
            WriteKeys += (key.Scopes & ApiScope.Admin) == 0 && (key.Scopes & ApiScope.Write) != 0 ? 1 : 0;
            ReadKeys += (key.Scopes & ApiScope.Admin) == 0 && (key.Scopes & ApiScope.Read) != 0 ? 1 : 0;
            AdminKeys += (key.Scopes & ApiScope.Admin) != 0 ? 1 : 0;
        }
    }

    /// <summary>No keys: every endpoint is open (the development default).</summary>
    public bool IsOpen => _keys.Length == 0;

    public int Count => _keys.Length;
    public int WriteKeys { get; }
    public int ReadKeys { get; }
    public int AdminKeys { get; }

    /// <summary>
    /// Hashes the keys of <paramref name="options"/> and then empties its lists, so this process's
    /// own objects keep no key in the clear.
    /// </summary>
    public static ApiKeyStore FromOptions(ApiKeyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var byHash = new Dictionary<string, (byte[] Hash, ApiScope Scopes, string Label)>(StringComparer.Ordinal);
        Add(byHash, options.WriteKeys, ApiScope.Write, "write");
        Add(byHash, options.ReadKeys, ApiScope.Read, "read");
        Add(byHash, options.AdminKeys, ApiScope.Write | ApiScope.Read | ApiScope.Admin, "admin");
        options.WriteKeys = [];
        options.ReadKeys = [];
        options.AdminKeys = [];
        var keys = new List<ApiKey>(byHash.Count);
        foreach ((byte[] hash, ApiScope scopes, string label) in byHash.Values)
        {
            keys.Add(new ApiKey(hash, scopes, label));
        }

        return new ApiKeyStore([.. keys]);
    }

    /// <summary>The key whose hash matches <paramref name="presented"/>, or null.</summary>
    public ApiKey? Find(ReadOnlySpan<char> presented)
    {
        if (presented.Length is 0 or > ApiKeyOptions.MaxKeyLength)
        {
            return null;
        }

        Span<byte> utf8 = stackalloc byte[ApiKeyOptions.MaxKeyLength * 3];
        int length = Encoding.UTF8.GetBytes(presented, utf8);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], hash);
        ApiKey? found = null;
        // Every key is compared, match or not: the time taken does not depend on which one matched.
        foreach (ApiKey key in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, key.Hash))
            {
                found = key;
            }
        }

        return found;
    }

    private static void Add(Dictionary<string, (byte[] Hash, ApiScope Scopes, string Label)> byHash, string[] keys, ApiScope scopes, string list)
    {
        for (int i = 0; i < keys.Length; i++)
        {
            byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(keys[i]));
            string id = Convert.ToHexString(hash);
            // The same key in several lists holds the union of their scopes.
            byHash[id] = byHash.TryGetValue(id, out var existing)
                ? (hash, existing.Scopes | scopes, existing.Label + "+" + list)
                : (hash, scopes, $"{list} key {i + 1}");
        }
    }
}
