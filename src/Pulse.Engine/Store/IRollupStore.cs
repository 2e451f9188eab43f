using Pulse.Analytics;
using Pulse.Analytics.Definitions;
using Pulse.Analytics.Metrics;
using Pulse.Processing;

namespace Pulse.Store;

/// <summary>
/// A whole store, as the engine uses it: checkpoints and restart reads, query scans, anomalies,
/// definitions, and the single-cell reads processing makes when a change reaches an evicted bucket.
/// <see cref="SqliteStore"/> (embedded, the default) and <see cref="Postgres.PostgresStore"/>
/// implement it and pass one test suite (tests/Pulse.Tests/Store/StoreContractTests.cs). Failures surface as <see cref="System.Data.Common.DbException"/>.
/// </summary>
public interface IRollupStore : ICheckpointStore, IRollupScans, IAnomalyStore, ICellStore, IAnalyticsStore, IUserMetricStore, IDefinitionStore, IDisposable
{
    /// <summary>Where the data is, for logs and health (a file path, or a database without its password).</summary>
    string Location { get; }

    /// <summary>The space the store takes (files, or the database's size).</summary>
    long DatabaseBytes();

    /// <summary>Cheap liveness probe for readiness checks.</summary>
    bool Ping();
}
