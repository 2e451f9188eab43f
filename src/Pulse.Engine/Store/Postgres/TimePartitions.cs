using System.Globalization;
using Npgsql;
using Pulse.Processing.Aggregation;

namespace Pulse.Store.Postgres;

/// <summary>
/// The time partitions of the rollup tables: each resolution's buckets are split into ranges of a
/// width of their own (1 s rows by the hour, 1 min by the day, 1 h by 30 days, 1 d by 360 days), so
/// that retention drops whole partitions and a query reads only the ones its range touches.
/// Partitions are created ahead of time by retention passes and on demand before a write needs one;
/// <c>rollup_partitions</c> lists them so every node knows what exists.
/// </summary>
internal sealed class TimePartitions
{
    /// <summary>Tables partitioned by (res, bucket); the user metrics' table is not, its retention is per metric.</summary>
    public static readonly string[] Tables = ["counts", "uniques", "session_cells", "session_pages", "funnel_cells"];

    /// <summary>Serialises partition DDL across nodes ("pulse-pt").</summary>
    private const long LockKey = 0x70756C73652D7074;

    private static readonly long[] Widths = [3_600_000L, 86_400_000L, 30 * 86_400_000L, 360 * 86_400_000L];

    // (resolution, partition start) of every partition this store knows exists in all tables.
    private readonly HashSet<(int Res, long Lo)> _known = [];

    public static long Width(Resolution resolution) => Widths[(int)resolution];

    public static long StartOf(Resolution resolution, long bucket) => bucket - (((bucket % Width(resolution)) + Width(resolution)) % Width(resolution));

    public bool IsKnown(Resolution resolution, long bucket) => _known.Contains(((int)resolution, StartOf(resolution, bucket)));

    /// <summary>Forgets what exists (another node may have dropped some): the next write re-reads it.</summary>
    public void Forget() => _known.Clear();

    public void Load(NpgsqlConnection connection)
    {
        _known.Clear();
        using var command = new NpgsqlCommand("SELECT res, lo FROM rollup_partitions WHERE parent = 'counts'", connection);
        using NpgsqlDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            _known.Add((reader.GetInt32(0), reader.GetInt64(1)));
        }
    }

    /// <summary>Creates, in a transaction of its own, the partitions of every table for the given (resolution, bucket)s that do not exist yet.</summary>
    public void Ensure(NpgsqlConnection connection, IEnumerable<(Resolution Resolution, long Bucket)> buckets)
    {
        var missing = new SortedSet<(int Res, long Lo)>();
        foreach ((Resolution resolution, long bucket) in buckets)
        {
            (int, long) key = ((int)resolution, StartOf(resolution, bucket));
            if (!_known.Contains(key))
            {
                missing.Add(key);
            }
        }

        if (missing.Count == 0)
        {
            return;
        }

        using NpgsqlTransaction transaction = connection.BeginTransaction();
        Execute(connection, $"SELECT pg_advisory_xact_lock({LockKey})");
        foreach ((int res, long lo) in missing)
        {
            long hi = lo + Widths[res];
            foreach (string table in Tables)
            {
                string name = Name(table, res, lo);
                Execute(connection, $"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {table} FOR VALUES FROM ({res}, {lo}) TO ({res}, {hi})");
                using var record = new NpgsqlCommand("INSERT INTO rollup_partitions(name, parent, res, lo, hi) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING", connection);
                record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
                record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = table });
                record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = res });
                record.Parameters.Add(new NpgsqlParameter<long> { TypedValue = lo });
                record.Parameters.Add(new NpgsqlParameter<long> { TypedValue = hi });
                record.ExecuteNonQuery();
            }
        }

        transaction.Commit();
        _known.UnionWith(missing);
    }

    /// <summary>
    /// Drops every partition of <paramref name="resolution"/> that ends at or before
    /// <paramref name="before"/>, and deletes the rows before it from the one partition it falls in,
    /// so what remains is exactly the buckets starting at or after <paramref name="before"/>.
    /// </summary>
    /// <returns>The rows deleted from the partition cut through (dropped partitions are not counted).</returns>
    public int Truncate(NpgsqlConnection connection, Resolution resolution, long before)
    {
        int res = (int)resolution;
        using NpgsqlTransaction transaction = connection.BeginTransaction();
        Execute(connection, $"SELECT pg_advisory_xact_lock({LockKey})");
        var expired = new List<(string Name, long Lo)>();
        using (var list = new NpgsqlCommand("SELECT name, lo FROM rollup_partitions WHERE res = $1 AND hi <= $2", connection))
        {
            list.Parameters.Add(new NpgsqlParameter<int> { TypedValue = res });
            list.Parameters.Add(new NpgsqlParameter<long> { TypedValue = before });
            using NpgsqlDataReader reader = list.ExecuteReader();
            while (reader.Read())
            {
                expired.Add((reader.GetString(0), reader.GetInt64(1)));
            }
        }

        foreach ((string name, long lo) in expired)
        {
            Execute(connection, $"DROP TABLE IF EXISTS {name}");
            _known.Remove((res, lo));
        }

        using (var forget = new NpgsqlCommand("DELETE FROM rollup_partitions WHERE res = $1 AND hi <= $2", connection))
        {
            forget.Parameters.Add(new NpgsqlParameter<int> { TypedValue = res });
            forget.Parameters.Add(new NpgsqlParameter<long> { TypedValue = before });
            forget.ExecuteNonQuery();
        }

        int deleted = 0;
        foreach (string table in Tables)
        {
            using var delete = new NpgsqlCommand($"DELETE FROM {table} WHERE res = $1 AND bucket < $2", connection);
            delete.Parameters.Add(new NpgsqlParameter<int> { TypedValue = res });
            delete.Parameters.Add(new NpgsqlParameter<long> { TypedValue = before });
            deleted += delete.ExecuteNonQuery();
        }

        transaction.Commit();
        return deleted;
    }

    /// <summary>counts_s_2026120314 (1 s rows of that hour), counts_m_20261203, counts_h_20261203, counts_d_20261203: readable, and unique per range.</summary>
    private static string Name(string table, int res, long lo)
    {
        DateTime start = DateTimeOffset.FromUnixTimeMilliseconds(lo).UtcDateTime;
        return res switch
        {
            0 => $"{table}_s_{start.ToString("yyyyMMddHH", CultureInfo.InvariantCulture)}",
            1 => $"{table}_m_{start.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}",
            2 => $"{table}_h_{start.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}",
            _ => $"{table}_d_{start.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}",
        };
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
