using Microsoft.Extensions.Logging;
using Pulse.Hosting;
using Pulse.Store.Postgres;

namespace Pulse.Store;

/// <summary>Opens the store the configuration names (<c>Pulse:Store:Kind</c>).</summary>
public static class RollupStores
{
    public static IRollupStore Open(PulseOptions options, ILogger logger) => options.Store.Kind switch
    {
        StoreKind.Postgres => PostgresStore.Open(
            options.Store.Postgres ?? throw new InvalidOperationException("Pulse:Store:Postgres (the connection string) is not set."), logger),
        _ => SqliteStore.Open(Path.GetFullPath(options.DataDirectory), logger),
    };
}
