using Npgsql;

namespace Pulse.Store.Postgres;

public sealed partial class PostgresStore
{
    public void WriteAnomalies(IReadOnlyList<StoredAnomaly> anomalies, AnomalyCheckpoint? checkpoint)
    {
        // A pooled connection of its own: the monitor runs beside the checkpointer.
        using NpgsqlConnection connection = _source.OpenConnection();
        using NpgsqlTransaction transaction = connection.BeginTransaction();
        using var batch = new NpgsqlBatch(connection, transaction);
        foreach (StoredAnomaly a in anomalies)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                INSERT INTO anomalies(ts, width, metric, group_name, group_value, value, expected, score, severity)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                ON CONFLICT (ts, width, metric, group_name, group_value) DO UPDATE SET
                    value = EXCLUDED.value, expected = EXCLUDED.expected, score = EXCLUDED.score, severity = EXCLUDED.severity
                """)
            {
                Parameters =
                {
                    Long(a.TimeMs), Long(a.WidthMs), Text(a.Metric), Text(a.GroupName ?? ""), Text(a.GroupValue ?? ""),
                    Double(a.Value), Double(a.Expected), Double(a.Score), Text(a.Severity),
                },
            });
        }

        if (checkpoint is not null)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                INSERT INTO anomaly_state(id, seconds_fed, minutes_fed, state) VALUES (0, $1, $2, $3)
                ON CONFLICT (id) DO UPDATE SET seconds_fed = EXCLUDED.seconds_fed, minutes_fed = EXCLUDED.minutes_fed, state = EXCLUDED.state
                """)
            {
                Parameters = { Long(checkpoint.SecondsFedMs), Long(checkpoint.MinutesFedMs), Bytes(checkpoint.State) },
            });
        }

        if (batch.BatchCommands.Count > 0)
        {
            batch.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    public AnomalyCheckpoint? LoadAnomalyCheckpoint()
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using var command = new NpgsqlCommand("SELECT seconds_fed, minutes_fed, state FROM anomaly_state WHERE id = 0", connection);
        using NpgsqlDataReader reader = command.ExecuteReader();
        return reader.Read() ? new AnomalyCheckpoint(reader.GetInt64(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2)) : null;
    }

    public List<StoredAnomaly> ScanAnomalies(long from, long to, string? metric, int limit)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using var command = new NpgsqlCommand(
            "SELECT ts, width, metric, group_name, group_value, value, expected, score, severity FROM anomalies WHERE ts >= $1 AND ts < $2"
            + (metric is null ? "" : " AND metric = $4") + " ORDER BY ts DESC, metric, group_value LIMIT $3", connection);
        command.Parameters.Add(Long(from));
        command.Parameters.Add(Long(to));
        command.Parameters.Add(Int(limit));
        if (metric is not null)
        {
            command.Parameters.Add(Text(metric));
        }

        using NpgsqlDataReader reader = command.ExecuteReader();
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

    private static NpgsqlParameter<double> Double(double value) => new() { TypedValue = value };
}
