using Microsoft.Data.Sqlite;

namespace Pulse.Store;

/// <summary>The embedded store's tables. Rollup rows are per partition, so each partition's checkpoint owns its rows outright.</summary>
/// <remarks>
/// A checkpoint row's <c>next_offset</c>, <c>segment</c>, <c>position</c>, <c>max_event_time</c> and
/// <c>events_processed</c> describe the last <em>full</em> checkpoint (every resolution): replay
/// starts there; the partition's <c>analytics_state</c> and its session, page, funnel and match
/// rows are written with full checkpoints only, so they describe the same position.
/// <c>seconds_offset</c> is where the 1-second rows reach, which seconds-only checkpoints move ahead of it (−1: same as <c>next_offset</c>, as version 1 stores had it).
/// </remarks>
internal static class StoreSchema
{
    public const int Version = 3;

    public const string Create = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS dimensions (id INTEGER PRIMARY KEY, value BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS checkpoints (
            partition INTEGER PRIMARY KEY,
            next_offset INTEGER NOT NULL,
            segment INTEGER NOT NULL,
            position INTEGER NOT NULL,
            max_event_time INTEGER NOT NULL,
            events_processed INTEGER NOT NULL,
            updated_ms INTEGER NOT NULL,
            seconds_offset INTEGER NOT NULL DEFAULT -1);
        CREATE TABLE IF NOT EXISTS counts (
            res INTEGER NOT NULL, bucket INTEGER NOT NULL, mask INTEGER NOT NULL, partition INTEGER NOT NULL,
            type INTEGER NOT NULL, page INTEGER NOT NULL, product INTEGER NOT NULL, country INTEGER NOT NULL, device INTEGER NOT NULL,
            count INTEGER NOT NULL, revenue INTEGER NOT NULL, late INTEGER NOT NULL,
            PRIMARY KEY (res, mask, bucket, partition, type, page, product, country, device)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS uniques (
            res INTEGER NOT NULL, bucket INTEGER NOT NULL, mask INTEGER NOT NULL, partition INTEGER NOT NULL,
            type INTEGER NOT NULL, page INTEGER NOT NULL, country INTEGER NOT NULL, device INTEGER NOT NULL,
            sketch BLOB NOT NULL,
            PRIMARY KEY (res, mask, bucket, partition, type, page, country, device)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS session_cells (
            res INTEGER NOT NULL, bucket INTEGER NOT NULL, partition INTEGER NOT NULL, country INTEGER NOT NULL, device INTEGER NOT NULL,
            started INTEGER NOT NULL, ended INTEGER NOT NULL, bounces INTEGER NOT NULL, duration BLOB NOT NULL, pages BLOB NOT NULL,
            PRIMARY KEY (res, bucket, partition, country, device)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS session_pages (
            res INTEGER NOT NULL, exit INTEGER NOT NULL, bucket INTEGER NOT NULL, partition INTEGER NOT NULL, page INTEGER NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (res, exit, bucket, partition, page)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS funnel_cells (
            funnel TEXT NOT NULL, res INTEGER NOT NULL, bucket INTEGER NOT NULL, partition INTEGER NOT NULL, step INTEGER NOT NULL,
            sessions INTEGER NOT NULL, users BLOB NOT NULL,
            PRIMARY KEY (funnel, res, bucket, partition, step)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS pattern_matches (
            pattern TEXT NOT NULL, ts INTEGER NOT NULL, partition INTEGER NOT NULL, user_id TEXT NOT NULL, session_id TEXT NOT NULL,
            first_ts INTEGER NOT NULL, details TEXT NOT NULL,
            PRIMARY KEY (pattern, ts, partition, user_id, session_id, first_ts)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS analytics_state (partition INTEGER PRIMARY KEY, state BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS anomalies (
            ts INTEGER NOT NULL, width INTEGER NOT NULL, metric TEXT NOT NULL, group_name TEXT NOT NULL, group_value TEXT NOT NULL,
            value REAL NOT NULL, expected REAL NOT NULL, score REAL NOT NULL, severity TEXT NOT NULL,
            PRIMARY KEY (ts, width, metric, group_name, group_value)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS metric_cells (
            metric TEXT NOT NULL, res INTEGER NOT NULL, bucket INTEGER NOT NULL, partition INTEGER NOT NULL,
            g1 INTEGER NOT NULL, g2 INTEGER NOT NULL, g3 INTEGER NOT NULL,
            count INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, sketch BLOB,
            PRIMARY KEY (metric, res, bucket, partition, g1, g2, g3)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS definitions (name TEXT PRIMARY KEY, json TEXT NOT NULL, updated_ms INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS anomaly_state (id INTEGER PRIMARY KEY, seconds_fed INTEGER NOT NULL, minutes_fed INTEGER NOT NULL, state BLOB NOT NULL);
        """;

    /// <summary>Brings a store written by an older version up to <see cref="Version"/>, in place.</summary>
    public static void Migrate(SqliteConnection connection)
    {
        using SqliteTransaction transaction = connection.BeginTransaction();
        if (!HasColumn(connection, "checkpoints", "seconds_offset"))
        {
            Execute(connection, "ALTER TABLE checkpoints ADD COLUMN seconds_offset INTEGER NOT NULL DEFAULT -1;");
        }

        Execute(connection, $"INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', '{Version}');");
        transaction.Commit();
    }

    private static bool HasColumn(SqliteConnection connection, string table, string column)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = $column";
        command.Parameters.AddWithValue("$column", column);
        return (long)command.ExecuteScalar()! > 0;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
