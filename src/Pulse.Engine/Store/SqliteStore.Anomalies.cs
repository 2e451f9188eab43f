using Microsoft.Data.Sqlite;

namespace Pulse.Store;

public sealed partial class SqliteStore
{
    /// <summary>
    /// Stores anomalies and, optionally, the monitor's position in one transaction, on a connection
    /// of its own (the monitor runs beside the checkpointer). An anomaly's key is its bucket, metric
    /// and group, so one re-derived after a restart replaces itself.
    /// </summary>
    public void WriteAnomalies(IReadOnlyList<StoredAnomaly> anomalies, AnomalyCheckpoint? checkpoint)
    {
        using SqliteConnection connection = OpenConnection();
        using SqliteTransaction transaction = connection.BeginTransaction();
        using (SqliteCommand put = connection.CreateCommand())
        {
            put.Transaction = transaction;
            put.CommandText = """
                INSERT OR REPLACE INTO anomalies(ts, width, metric, group_name, group_value, value, expected, score, severity)
                VALUES ($t, $w, $m, $gn, $gv, $v, $e, $s, $sev)
                """;
            foreach (StoredAnomaly a in anomalies)
            {
                put.Parameters.Clear();
                put.Parameters.AddWithValue("$t", a.TimeMs);
                put.Parameters.AddWithValue("$w", a.WidthMs);
                put.Parameters.AddWithValue("$m", a.Metric);
                put.Parameters.AddWithValue("$gn", a.GroupName ?? "");
                put.Parameters.AddWithValue("$gv", a.GroupValue ?? "");
                put.Parameters.AddWithValue("$v", a.Value);
                put.Parameters.AddWithValue("$e", a.Expected);
                put.Parameters.AddWithValue("$s", a.Score);
                put.Parameters.AddWithValue("$sev", a.Severity);
                put.ExecuteNonQuery();
            }
        }

        if (checkpoint is not null)
        {
            using SqliteCommand save = connection.CreateCommand();
            save.Transaction = transaction;
            save.CommandText = "INSERT OR REPLACE INTO anomaly_state(id, seconds_fed, minutes_fed, state) VALUES (0, $s, $m, $b)";
            save.Parameters.AddWithValue("$s", checkpoint.SecondsFedMs);
            save.Parameters.AddWithValue("$m", checkpoint.MinutesFedMs);
            save.Parameters.AddWithValue("$b", checkpoint.State);
            save.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    public AnomalyCheckpoint? LoadAnomalyCheckpoint()
    {
        using SqliteConnection connection = OpenConnection();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT seconds_fed, minutes_fed, state FROM anomaly_state WHERE id = 0";
        using SqliteDataReader reader = command.ExecuteReader();
        return reader.Read() ? new AnomalyCheckpoint(reader.GetInt64(0), reader.GetInt64(1), (byte[])reader.GetValue(2)) : null;
    }

    /// <summary>Anomalies of buckets starting in [from, to), newest first.</summary>
    public List<StoredAnomaly> ScanAnomalies(long from, long to, string? metric, int limit)
    {
        using SqliteConnection connection = OpenConnection();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT ts, width, metric, group_name, group_value, value, expected, score, severity FROM anomalies WHERE ts >= $from AND ts < $to"
            + (metric is null ? "" : " AND metric = $m") + " ORDER BY ts DESC, metric, group_value LIMIT $n";
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$to", to);
        command.Parameters.AddWithValue("$n", limit);
        if (metric is not null)
        {
            command.Parameters.AddWithValue("$m", metric);
        }

        using SqliteDataReader reader = command.ExecuteReader();
        var anomalies = new List<StoredAnomaly>();
        while (reader.Read())
        {
            string groupName = reader.GetString(3);
            anomalies.Add(new StoredAnomaly(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2),
                groupName.Length == 0 ? null : groupName, groupName.Length == 0 ? null : reader.GetString(4),
                reader.GetDouble(5), reader.GetDouble(6), reader.GetDouble(7), reader.GetString(8)));
        }

        return anomalies;
    }
}
