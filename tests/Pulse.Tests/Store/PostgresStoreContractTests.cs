using Microsoft.Extensions.Logging.Abstractions;
using Pulse.Store;
using Pulse.Store.Postgres;

namespace Pulse.Tests.Store;

/// <summary>The store contract over PostgreSQL (the run's real server), an empty database per test.</summary>
public sealed class PostgresStoreContractTests : StoreContractTests
{
    private readonly string _connectionString = PostgresServer.Shared.CreateDatabase();

    protected override IRollupStore OpenStore() => PostgresStore.Open(_connectionString, NullLogger.Instance);
}
