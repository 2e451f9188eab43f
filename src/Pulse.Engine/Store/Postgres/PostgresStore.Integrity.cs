using Npgsql;

namespace Pulse.Store.Postgres;

public sealed partial class PostgresStore
{
    public long StoredEvents(int partition)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using var command = new NpgsqlCommand(PartitionTables.StoredEventsSql + "$1", connection);
        command.Parameters.Add(Int(partition));
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void ResetPartition(int partition)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using NpgsqlTransaction transaction = connection.BeginTransaction();
        foreach (string table in PartitionTables.Names)
        {
            using var delete = new NpgsqlCommand($"DELETE FROM {table} WHERE partition = $1", connection, transaction);
            delete.Parameters.Add(Int(partition));
            delete.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}
