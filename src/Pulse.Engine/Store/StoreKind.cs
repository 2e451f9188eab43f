namespace Pulse.Store;

/// <summary>Which store holds rollups and checkpoints (<c>Pulse:Store:Kind</c>, <c>--store</c>).</summary>
public enum StoreKind
{
    /// <summary>Embedded: <c>store.db</c> under the data directory.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database (<c>Pulse:Store:Postgres</c>, <c>--postgres</c>), which several nodes can share.</summary>
    Postgres,
}
