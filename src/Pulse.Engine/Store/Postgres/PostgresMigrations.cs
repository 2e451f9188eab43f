using Npgsql;

namespace Pulse.Store.Postgres;

/// <summary>
/// The PostgreSQL schema as numbered migrations, recorded in <c>schema_migrations</c>. They run at
/// every open inside one transaction that first takes a transaction-level advisory lock, so nodes
/// starting together run each migration once: the others wait, then find it recorded and skip it.
/// </summary>
/// <remarks>
/// A new migration is appended with the next version; applied ones never change. Rollup tables are
/// range-partitioned by (res, bucket): each resolution's buckets go to partitions of a width of their
/// own (<see cref="TimePartitions"/>), so retention drops whole partitions.
/// </remarks>
internal static class PostgresMigrations
{
    /// <summary>Shared by every Pulse node on the database ("pulse-mg").</summary>
    private const long LockKey = 0x70756C73652D6D67;

    public static readonly IReadOnlyList<(int Version, string Description, string Sql)> All =
    [
        (1, "rollups, sketches, checkpoints, dictionary, analytics, anomalies, definitions", """
            CREATE TABLE dimensions (id integer PRIMARY KEY, value bytea NOT NULL);
            CREATE TABLE checkpoints (
                partition integer PRIMARY KEY,
                next_offset bigint NOT NULL,
                segment bigint NOT NULL,
                position bigint NOT NULL,
                max_event_time bigint NOT NULL,
                events_processed bigint NOT NULL,
                updated_ms bigint NOT NULL,
                seconds_offset bigint NOT NULL);
            CREATE TABLE counts (
                res integer NOT NULL, bucket bigint NOT NULL, mask integer NOT NULL, partition integer NOT NULL,
                type integer NOT NULL, page integer NOT NULL, product integer NOT NULL, country integer NOT NULL, device integer NOT NULL,
                count bigint NOT NULL, revenue bigint NOT NULL, late bigint NOT NULL,
                PRIMARY KEY (res, mask, bucket, partition, type, page, product, country, device)) PARTITION BY RANGE (res, bucket);
            CREATE TABLE uniques (
                res integer NOT NULL, bucket bigint NOT NULL, mask integer NOT NULL, partition integer NOT NULL,
                type integer NOT NULL, page integer NOT NULL, country integer NOT NULL, device integer NOT NULL,
                sketch bytea NOT NULL,
                PRIMARY KEY (res, mask, bucket, partition, type, page, country, device)) PARTITION BY RANGE (res, bucket);
            CREATE TABLE session_cells (
                res integer NOT NULL, bucket bigint NOT NULL, partition integer NOT NULL, country integer NOT NULL, device integer NOT NULL,
                started bigint NOT NULL, ended bigint NOT NULL, bounces bigint NOT NULL, duration bytea NOT NULL, pages bytea NOT NULL,
                PRIMARY KEY (res, bucket, partition, country, device)) PARTITION BY RANGE (res, bucket);
            CREATE TABLE session_pages (
                res integer NOT NULL, exit integer NOT NULL, bucket bigint NOT NULL, partition integer NOT NULL, page integer NOT NULL,
                count bigint NOT NULL,
                PRIMARY KEY (res, exit, bucket, partition, page)) PARTITION BY RANGE (res, bucket);
            CREATE TABLE funnel_cells (
                funnel text COLLATE "C" NOT NULL, res integer NOT NULL, bucket bigint NOT NULL, partition integer NOT NULL, step integer NOT NULL,
                sessions bigint NOT NULL, users bytea NOT NULL,
                PRIMARY KEY (funnel, res, bucket, partition, step)) PARTITION BY RANGE (res, bucket);
            CREATE TABLE rollup_partitions (
                name text COLLATE "C" PRIMARY KEY, parent text COLLATE "C" NOT NULL, res integer NOT NULL, lo bigint NOT NULL, hi bigint NOT NULL);
            CREATE TABLE metric_cells (
                metric text COLLATE "C" NOT NULL, res integer NOT NULL, bucket bigint NOT NULL, partition integer NOT NULL,
                g1 integer NOT NULL, g2 integer NOT NULL, g3 integer NOT NULL,
                count bigint NOT NULL, sum double precision NOT NULL, min double precision NOT NULL, max double precision NOT NULL, sketch bytea,
                PRIMARY KEY (metric, res, bucket, partition, g1, g2, g3));
            CREATE INDEX metric_cells_by_partition ON metric_cells (partition, bucket);
            CREATE TABLE pattern_matches (
                pattern text COLLATE "C" NOT NULL, ts bigint NOT NULL, partition integer NOT NULL, user_id text COLLATE "C" NOT NULL,
                session_id text COLLATE "C" NOT NULL, first_ts bigint NOT NULL, details text NOT NULL,
                PRIMARY KEY (pattern, ts, partition, user_id, session_id, first_ts));
            CREATE INDEX pattern_matches_by_time ON pattern_matches (ts);
            CREATE TABLE analytics_state (partition integer PRIMARY KEY, state bytea NOT NULL);
            CREATE TABLE anomalies (
                ts bigint NOT NULL, width bigint NOT NULL, metric text COLLATE "C" NOT NULL, group_name text COLLATE "C" NOT NULL,
                group_value text COLLATE "C" NOT NULL, value double precision NOT NULL, expected double precision NOT NULL,
                score double precision NOT NULL, severity text NOT NULL,
                PRIMARY KEY (ts, width, metric, group_name, group_value));
            CREATE TABLE definitions (name text COLLATE "C" PRIMARY KEY, json text NOT NULL, updated_ms bigint NOT NULL);
            CREATE TABLE anomaly_state (id integer PRIMARY KEY, seconds_fed bigint NOT NULL, minutes_fed bigint NOT NULL, state bytea NOT NULL);
            """),
    ];

    /// <summary>Applies every migration the database has not recorded; returns the versions this call applied.</summary>
    public static IReadOnlyList<int> Apply(NpgsqlConnection connection)
    {
        using NpgsqlTransaction transaction = connection.BeginTransaction();
        Execute(connection, $"SELECT pg_advisory_xact_lock({LockKey})");
        Execute(connection, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
            """);
        var applied = new HashSet<int>();
        using (var read = new NpgsqlCommand("SELECT version FROM schema_migrations", connection))
        using (NpgsqlDataReader reader = read.ExecuteReader())
        {
            while (reader.Read())
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        var ran = new List<int>();
        foreach ((int version, string description, string sql) in All)
        {
            if (applied.Contains(version))
            {
                continue;
            }

            Execute(connection, sql);
            using var record = new NpgsqlCommand("INSERT INTO schema_migrations(version, description) VALUES ($1, $2)", connection);
            record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
            record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = description });
            record.ExecuteNonQuery();
            ran.Add(version);
        }

        transaction.Commit();
        return ran;
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
