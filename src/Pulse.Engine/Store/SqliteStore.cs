using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Pulse.Log;
using Pulse.Processing;
using Pulse.Processing.Aggregation;
using Pulse.Processing.State;

namespace Pulse.Store;

/// <summary>
/// The embedded store: rollups, sketches, the dimension dictionary and checkpoints in one SQLite
/// database (WAL, synchronous=NORMAL — the log, not the store, is the source of truth). One writer
/// connection (the checkpointer); readers open pooled connections and see committed snapshots.
/// </summary>
public sealed partial class SqliteStore : IRollupStore
{
    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly SqliteConnection _pointReader;
    private readonly Lock _pointGate = new();
    private readonly ILogger _logger;

    private SqliteStore(string path, ILogger logger)
    {
        _logger = logger;
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        _writer = OpenConnection();
        Execute(_writer, "PRAGMA journal_mode=WAL;");
        // Checkpoints upsert many rows into the same few bucket ranges every second: keep those pages
        // in SQLite's own cache (256 MiB) rather than re-reading them through the OS each time.
        Execute(_writer, "PRAGMA cache_size=-262144;");
        Execute(_writer, StoreSchema.Create);
        StoreSchema.Migrate(_writer);
        _pointReader = OpenConnection();
    }

    public string Path { get; }

    public string Location => Path;

    public static SqliteStore Open(string dataDirectory, ILogger logger)
    {
        Directory.CreateDirectory(dataDirectory);
        return new SqliteStore(System.IO.Path.Combine(dataDirectory, "store.db"), logger);
    }

    public SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA temp_store=MEMORY;");
        return connection;
    }

    public void LoadDictionary(DimensionDictionary dictionary)
    {
        using SqliteCommand command = _writer.CreateCommand();
        command.CommandText = "SELECT id, value FROM dimensions ORDER BY id";
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            dictionary.Restore(reader.GetInt32(0), (byte[])reader.GetValue(1));
        }
    }

    public StoredCheckpoint? LoadCheckpoint(int partition)
    {
        using SqliteCommand command = _writer.CreateCommand();
        command.CommandText = $"SELECT {StoreRows.CheckpointColumns} FROM checkpoints WHERE partition = $p";
        command.Parameters.AddWithValue("$p", partition);
        using SqliteDataReader reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        return StoreRows.Checkpoint(reader);
    }

    /// <summary>Loads every stored cell of <paramref name="partition"/> in buckets at or after <paramref name="loadedFrom"/>.</summary>
    public int LoadResident(PartitionState state, ReadOnlySpan<long> loadedFrom)
    {
        int rows = 0;
        for (int r = 0; r < Resolutions.Count; r++)
        {
            var resolution = (Resolution)r;
            using (SqliteCommand command = _writer.CreateCommand())
            {
                command.CommandText = "SELECT bucket, mask, type, page, product, country, device, count, revenue, late FROM counts WHERE res = $r AND partition = $p AND bucket >= $from";
                command.Parameters.AddWithValue("$r", r);
                command.Parameters.AddWithValue("$p", state.Partition);
                command.Parameters.AddWithValue("$from", loadedFrom[r]);
                using SqliteDataReader reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var key = new CellKey((Dimension)reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6));
                    var cell = new CountCell { Count = reader.GetInt64(7), RevenueMicros = reader.GetInt64(8), Late = reader.GetInt64(9) };
                    state.RestoreCount(resolution, reader.GetInt64(0), key, cell);
                    rows++;
                }
            }

            using (SqliteCommand command = _writer.CreateCommand())
            {
                command.CommandText = "SELECT bucket, mask, type, page, country, device, sketch FROM uniques WHERE res = $r AND partition = $p AND bucket >= $from";
                command.Parameters.AddWithValue("$r", r);
                command.Parameters.AddWithValue("$p", state.Partition);
                command.Parameters.AddWithValue("$from", loadedFrom[r]);
                using SqliteDataReader reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var key = new CellKey((Dimension)reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), 0, reader.GetInt32(4), reader.GetInt32(5));
                    state.RestoreUnique(resolution, reader.GetInt64(0), key, HyperLogLog.Deserialize((byte[])reader.GetValue(6)));
                    rows++;
                }
            }
        }

        return rows;
    }

    public bool TryLoadCount(int partition, Resolution resolution, long bucket, in CellKey key, out CountCell cell)
    {
        lock (_pointGate)
        {
            using SqliteCommand command = _pointReader.CreateCommand();
            command.CommandText = "SELECT count, revenue, late FROM counts WHERE res=$r AND mask=$m AND bucket=$b AND partition=$p AND type=$t AND page=$pg AND product=$pr AND country=$c AND device=$d";
            AddKey(command, partition, resolution, bucket, key, withProduct: true);
            using SqliteDataReader reader = command.ExecuteReader();
            if (reader.Read())
            {
                cell = new CountCell { Count = reader.GetInt64(0), RevenueMicros = reader.GetInt64(1), Late = reader.GetInt64(2) };
                return true;
            }

            cell = default;
            return false;
        }
    }

    public HyperLogLog? TryLoadUnique(int partition, Resolution resolution, long bucket, in CellKey key)
    {
        lock (_pointGate)
        {
            using SqliteCommand command = _pointReader.CreateCommand();
            command.CommandText = "SELECT sketch FROM uniques WHERE res=$r AND mask=$m AND bucket=$b AND partition=$p AND type=$t AND page=$pg AND country=$c AND device=$d";
            AddKey(command, partition, resolution, bucket, key, withProduct: false);
            return command.ExecuteScalar() is byte[] bytes ? HyperLogLog.Deserialize(bytes) : null;
        }
    }

    private static void AddKey(SqliteCommand command, int partition, Resolution resolution, long bucket, in CellKey key, bool withProduct)
    {
        command.Parameters.AddWithValue("$r", (int)resolution);
        command.Parameters.AddWithValue("$m", (int)key.Mask);
        command.Parameters.AddWithValue("$b", bucket);
        command.Parameters.AddWithValue("$p", partition);
        command.Parameters.AddWithValue("$t", key.Type);
        command.Parameters.AddWithValue("$pg", key.Page);
        if (withProduct)
        {
            command.Parameters.AddWithValue("$pr", key.Product);
        }

        command.Parameters.AddWithValue("$c", key.Country);
        command.Parameters.AddWithValue("$d", key.Device);
    }

    /// <summary>
    /// Deletes rollups older than each resolution's retention (zero keeps forever); user metrics
    /// named in <paramref name="ownRetention"/> keep theirs (see <see cref="ApplyMetricRetention"/>).
    /// </summary>
    public int ApplyRetention(long nowMs, ReadOnlySpan<TimeSpan> retention, IReadOnlyCollection<string>? ownRetention = null)
    {
        int deleted = 0;
        for (int r = 0; r < Resolutions.Count; r++)
        {
            if (retention[r] <= TimeSpan.Zero)
            {
                continue;
            }

            long before = nowMs - (long)retention[r].TotalMilliseconds;
            foreach (string table in (ReadOnlySpan<string>)["counts", "uniques", "session_cells", "session_pages", "funnel_cells", "metric_cells"])
            {
                using SqliteCommand command = _writer.CreateCommand();
                command.CommandText = $"DELETE FROM {table} WHERE res = $r AND bucket < $before";
                if (table == "metric_cells" && ownRetention is { Count: > 0 })
                {
                    command.CommandText += " AND metric NOT IN (" + string.Join(", ", ownRetention.Select((_, i) => "$own" + i)) + ")";
                    int i = 0;
                    foreach (string metric in ownRetention)
                    {
                        command.Parameters.AddWithValue("$own" + i++, metric);
                    }
                }

                command.Parameters.AddWithValue("$r", r);
                command.Parameters.AddWithValue("$before", before);
                deleted += command.ExecuteNonQuery();
            }
        }

        if (retention[(int)Resolution.Minute] > TimeSpan.Zero)
        {
            // Matches and anomalies are kept as long as the minute rollups they were found in.
            using SqliteCommand command = _writer.CreateCommand();
            command.CommandText = "DELETE FROM pattern_matches WHERE ts < $before; DELETE FROM anomalies WHERE ts < $before;";
            command.Parameters.AddWithValue("$before", nowMs - (long)retention[(int)Resolution.Minute].TotalMilliseconds);
            deleted += command.ExecuteNonQuery();
        }

        return deleted;
    }

    public long DatabaseBytes()
    {
        long total = 0;
        foreach (string suffix in (ReadOnlySpan<string>)["", "-wal", "-shm"])
        {
            var file = new FileInfo(Path + suffix);
            total += file.Exists ? file.Length : 0;
        }

        return total;
    }

    /// <summary>Cheap liveness probe for readiness checks.</summary>
    public bool Ping()
    {
        try
        {
            using SqliteConnection connection = OpenConnection();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            return command.ExecuteScalar() is long one && one == 1;
        }
        catch (SqliteException ex)
        {
            _logger.LogWarning(ex, "Store ping failed");
            return false;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        DisposeStatements();
        _writer.Dispose();
        _pointReader.Dispose();
        SqliteConnection.ClearAllPools();
    }
}
