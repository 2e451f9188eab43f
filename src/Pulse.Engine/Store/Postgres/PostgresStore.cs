using System.Data.Common;
using Microsoft.Extensions.Logging;
using Npgsql;
using Pulse.Log;
using Pulse.Processing;
using Pulse.Processing.Aggregation;
using Pulse.Processing.State;

namespace Pulse.Store.Postgres;

/// <summary>
/// The store in PostgreSQL (<c>--store postgres</c>): the same tables and answers as
/// <see cref="SqliteStore"/>, with rollups range-partitioned by time (<see cref="TimePartitions"/>),
/// cells written by binary COPY into staging tables and merged, and each checkpoint in one
/// transaction. One writer connection (the checkpointer's, holding the staging tables); reads use
/// pooled connections. A broken writer connection is dropped and opened again by the next write.
/// </summary>
public sealed partial class PostgresStore : IRollupStore
{
    private readonly NpgsqlDataSource _source;
    private readonly ILogger _logger;
    private readonly TimePartitions _partitions = new();
    private readonly Lock _writeGate = new();
    private NpgsqlConnection? _writer;

    private PostgresStore(NpgsqlDataSource source, ILogger logger, IReadOnlyList<int> migrated)
    {
        _source = source;
        _logger = logger;
        MigrationsApplied = migrated;
        var builder = new NpgsqlConnectionStringBuilder(source.ConnectionString);
        Location = $"postgres://{builder.Host}:{builder.Port}/{builder.Database}";
    }

    public string Location { get; }

    /// <summary>The migrations this open applied (empty when the schema was already current).</summary>
    public IReadOnlyList<int> MigrationsApplied { get; }

    /// <summary>Connects, applies pending migrations (once across nodes starting together) and learns the existing time partitions.</summary>
    public static PostgresStore Open(string connectionString, ILogger logger)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // The same few statements run all the time: let Npgsql prepare them on the server.
            MaxAutoPrepare = Math.Max(new NpgsqlConnectionStringBuilder(connectionString).MaxAutoPrepare, 64),
            AutoPrepareMinUsages = 2,
        };
        NpgsqlDataSource source = NpgsqlDataSource.Create(builder.ConnectionString);
        try
        {
            IReadOnlyList<int> migrated;
            using (NpgsqlConnection connection = source.OpenConnection())
            {
                migrated = PostgresMigrations.Apply(connection);
            }

            var store = new PostgresStore(source, logger, migrated);
            if (migrated.Count > 0)
            {
                logger.LogInformation("PostgreSQL store {Location}: applied migrations {Versions}", store.Location, string.Join(", ", migrated));
            }

            return store;
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="write"/> on the writer connection; a failure drops the connection, so the next write starts on a fresh one.</summary>
    private T Write<T>(Func<NpgsqlConnection, T> write)
    {
        lock (_writeGate)
        {
            try
            {
                if (_writer is { FullState: not System.Data.ConnectionState.Open })
                {
                    _writer.Dispose();
                    _writer = null;
                }

                if (_writer is null)
                {
                    _writer = _source.OpenConnection();
                    _partitions.Load(_writer);
                    CreateStagingTables(_writer);
                }

                return write(_writer);
            }
            catch (DbException)
            {
                _writer?.Dispose();
                _writer = null;
                throw;
            }
        }
    }

    public void LoadDictionary(DimensionDictionary dictionary)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using var command = new NpgsqlCommand("SELECT id, value FROM dimensions ORDER BY id", connection);
        using NpgsqlDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            dictionary.Restore(reader.GetInt32(0), reader.GetFieldValue<byte[]>(1));
        }
    }

    public StoredCheckpoint? LoadCheckpoint(int partition)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using var command = new NpgsqlCommand(
            $"SELECT {StoreRows.CheckpointColumns} FROM checkpoints WHERE partition = $1", connection);
        command.Parameters.Add(Int(partition));
        using NpgsqlDataReader reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        return StoreRows.Checkpoint(reader);
    }

    public int LoadResident(PartitionState state, ReadOnlySpan<long> loadedFrom)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        int rows = 0;
        for (int r = 0; r < Resolutions.Count; r++)
        {
            var resolution = (Resolution)r;
            using (var command = new NpgsqlCommand(
                "SELECT bucket, mask, type, page, product, country, device, count, revenue, late FROM counts WHERE res = $1 AND partition = $2 AND bucket >= $3", connection))
            {
                command.Parameters.Add(Int(r));
                command.Parameters.Add(Int(state.Partition));
                command.Parameters.Add(Long(loadedFrom[r]));
                using NpgsqlDataReader reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var key = new CellKey((Dimension)reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6));
                    var cell = new CountCell { Count = reader.GetInt64(7), RevenueMicros = reader.GetInt64(8), Late = reader.GetInt64(9) };
                    state.RestoreCount(resolution, reader.GetInt64(0), key, cell);
                    rows++;
                }
            }

            using (var command = new NpgsqlCommand(
                "SELECT bucket, mask, type, page, country, device, sketch FROM uniques WHERE res = $1 AND partition = $2 AND bucket >= $3", connection))
            {
                command.Parameters.Add(Int(r));
                command.Parameters.Add(Int(state.Partition));
                command.Parameters.Add(Long(loadedFrom[r]));
                using NpgsqlDataReader reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var key = new CellKey((Dimension)reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), 0, reader.GetInt32(4), reader.GetInt32(5));
                    state.RestoreUnique(resolution, reader.GetInt64(0), key, HyperLogLog.Deserialize(reader.GetFieldValue<byte[]>(6)));
                    rows++;
                }
            }
        }

        return rows;
    }

    public bool TryLoadCount(int partition, Resolution resolution, long bucket, in CellKey key, out CountCell cell)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using var command = new NpgsqlCommand(
            "SELECT count, revenue, late FROM counts WHERE res=$1 AND mask=$2 AND bucket=$3 AND partition=$4 AND type=$5 AND page=$6 AND country=$7 AND device=$8 AND product=$9",
            connection);
        AddKey(command, partition, resolution, bucket, key);
        command.Parameters.Add(Int(key.Product));
        using NpgsqlDataReader reader = command.ExecuteReader();
        if (reader.Read())
        {
            cell = new CountCell { Count = reader.GetInt64(0), RevenueMicros = reader.GetInt64(1), Late = reader.GetInt64(2) };
            return true;
        }

        cell = default;
        return false;
    }

    public HyperLogLog? TryLoadUnique(int partition, Resolution resolution, long bucket, in CellKey key)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using var command = new NpgsqlCommand(
            "SELECT sketch FROM uniques WHERE res=$1 AND mask=$2 AND bucket=$3 AND partition=$4 AND type=$5 AND page=$6 AND country=$7 AND device=$8", connection);
        AddKey(command, partition, resolution, bucket, key);
        return command.ExecuteScalar() is byte[] bytes ? HyperLogLog.Deserialize(bytes) : null;
    }

    /// <summary>Parameters $1..$8: resolution, mask, bucket, partition, type, page, country, device.</summary>
    private static void AddKey(NpgsqlCommand command, int partition, Resolution resolution, long bucket, in CellKey key)
    {
        command.Parameters.Add(Int((int)resolution));
        command.Parameters.Add(Int((int)key.Mask));
        command.Parameters.Add(Long(bucket));
        command.Parameters.Add(Int(partition));
        command.Parameters.Add(Int(key.Type));
        command.Parameters.Add(Int(key.Page));
        command.Parameters.Add(Int(key.Country));
        command.Parameters.Add(Int(key.Device));
    }

    public int ApplyRetention(long nowMs, ReadOnlySpan<TimeSpan> retention, IReadOnlyCollection<string>? ownRetention = null)
    {
        long[] before = new long[Resolutions.Count];
        for (int r = 0; r < Resolutions.Count; r++)
        {
            before[r] = retention[r] <= TimeSpan.Zero ? long.MinValue : nowMs - (long)retention[r].TotalMilliseconds;
        }

        long matchesBefore = retention[(int)Resolution.Minute] > TimeSpan.Zero ? nowMs - (long)retention[(int)Resolution.Minute].TotalMilliseconds : long.MinValue;
        string[] own = [.. ownRetention ?? []];
        return Write(connection =>
        {
            // Ahead of the writes that will need them: the current and the next partition of each resolution.
            _partitions.Ensure(connection, Enumerable.Range(0, Resolutions.Count)
                .SelectMany(r => new[] { ((Resolution)r, nowMs), ((Resolution)r, nowMs + TimePartitions.Width((Resolution)r)) }));
            int deleted = 0;
            for (int r = 0; r < Resolutions.Count; r++)
            {
                if (before[r] == long.MinValue)
                {
                    continue;
                }

                deleted += _partitions.Truncate(connection, (Resolution)r, before[r]);
                using var metrics = new NpgsqlCommand("DELETE FROM metric_cells WHERE res = $1 AND bucket < $2 AND NOT (metric = ANY($3))", connection);
                metrics.Parameters.Add(Int(r));
                metrics.Parameters.Add(Long(before[r]));
                metrics.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = own });
                deleted += metrics.ExecuteNonQuery();
            }

            if (matchesBefore != long.MinValue)
            {
                // Matches and anomalies are kept as long as the minute rollups they were found in.
                using var batch = new NpgsqlBatch(connection)
                {
                    BatchCommands =
                    {
                        new NpgsqlBatchCommand("DELETE FROM pattern_matches WHERE ts < $1") { Parameters = { Long(matchesBefore) } },
                        new NpgsqlBatchCommand("DELETE FROM anomalies WHERE ts < $1") { Parameters = { Long(matchesBefore) } },
                    },
                };
                deleted += batch.ExecuteNonQuery();
            }

            return deleted;
        });
    }

    public int ApplyMetricRetention(string metric, long beforeMs) => Write(connection =>
    {
        using var command = new NpgsqlCommand("DELETE FROM metric_cells WHERE metric = $1 AND bucket < $2", connection);
        command.Parameters.Add(Text(metric));
        command.Parameters.Add(Long(beforeMs));
        return command.ExecuteNonQuery();
    });

    public long DatabaseBytes()
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using var command = new NpgsqlCommand("SELECT pg_database_size(current_database())", connection);
        return (long)command.ExecuteScalar()!;
    }

    public bool Ping()
    {
        try
        {
            using NpgsqlConnection connection = _source.OpenConnection();
            using var command = new NpgsqlCommand("SELECT 1", connection);
            return command.ExecuteScalar() is int one && one == 1;
        }
        catch (Exception ex) when (ex is DbException or TimeoutException)
        {
            _logger.LogWarning(ex, "Store ping failed");
            return false;
        }
    }

    private static NpgsqlParameter<int> Int(int value) => new() { TypedValue = value };

    private static NpgsqlParameter<long> Long(long value) => new() { TypedValue = value };

    private static NpgsqlParameter<string> Text(string value) => new() { TypedValue = value };

    private static NpgsqlParameter<byte[]> Bytes(byte[] value) => new() { TypedValue = value };

    public void Dispose()
    {
        lock (_writeGate)
        {
            _writer?.Dispose();
            _writer = null;
        }

        _source.Dispose();
    }
}
