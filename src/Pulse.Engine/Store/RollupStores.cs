using Microsoft.Extensions.Logging;
using Pulse.Hosting;

namespace Pulse.Store;

/// <summary>Opens the store the configuration names (<c>Pulse:Store:Kind</c>).</summary>
public static class RollupStores
{
    public static IRollupStore Open(PulseOptions options, ILogger logger) => options.Store.Kind switch
    {
        StoreKind.Postgres => throw new NotSupportedException("This build has no PostgreSQL store yet."),
        _ => SqliteStore.Open(Path.GetFullPath(options.DataDirectory), logger),
    };
}
