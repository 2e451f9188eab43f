using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Pulse.Security;

/// <summary>Which of the server's listen addresses reach beyond this machine.</summary>
public sealed class ListenExposure(IServer server)
{
    /// <summary>The bound addresses that are not loopback (empty before the server has started).</summary>
    public IReadOnlyList<string> ExposedAddresses() => Exposed(server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []);

    public static IReadOnlyList<string> Exposed(IEnumerable<string> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var exposed = new List<string>();
        foreach (string address in addresses)
        {
            if (!IsLocal(address))
            {
                exposed.Add(address);
            }
        }

        return exposed;
    }

    /// <summary>
    /// Loopback hosts and unix sockets are local; wildcards (<c>*</c>, <c>+</c>, <c>0.0.0.0</c>,
    /// <c>[::]</c>), other addresses and host names are not.
    /// </summary>
    public static bool IsLocal(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        int scheme = address.IndexOf("://", StringComparison.Ordinal);
        string rest = scheme < 0 ? address : address[(scheme + 3)..];
        if (rest.StartsWith("unix:", StringComparison.OrdinalIgnoreCase) || rest.StartsWith("pipe:", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        int end = rest.StartsWith('[') ? rest.IndexOf(']', StringComparison.Ordinal) + 1 : rest.IndexOfAny([':', '/']);
        string host = end <= 0 ? rest : rest[..end];
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? ip) && IPAddress.IsLoopback(ip);
    }
}
