using Microsoft.Data.Sqlite;

namespace Pulse.Store;

public sealed partial class SqliteStore
{
    public long StoredEvents(int partition)
    {
        using SqliteCommand command = _writer.CreateCommand();
        command.CommandText = PartitionTables.StoredEventsSql + "$p";
        command.Parameters.AddWithValue("$p", partition);
        return (long)command.ExecuteScalar()!;
    }

    public void ResetPartition(int partition)
    {
        using SqliteTransaction transaction = _writer.BeginTransaction();
        foreach (string table in PartitionTables.Names)
        {
            using SqliteCommand delete = _writer.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = $"DELETE FROM {table} WHERE partition = $p";
            delete.Parameters.AddWithValue("$p", partition);
            delete.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}
