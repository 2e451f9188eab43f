using Microsoft.Extensions.Logging.Abstractions;
using Pulse.Store;
using Pulse.Tests.EndToEnd;

namespace Pulse.Tests.Store;

/// <summary>The store contract over the embedded SQLite store, in a temp directory per test.</summary>
public sealed class SqliteStoreContractTests : StoreContractTests
{
    private readonly TempDirectory _dir = new("pulse-store");

    protected override IRollupStore OpenStore() => SqliteStore.Open(_dir.Path, NullLogger.Instance);

    public override void Dispose()
    {
        _dir.Dispose();
        base.Dispose();
    }
}
