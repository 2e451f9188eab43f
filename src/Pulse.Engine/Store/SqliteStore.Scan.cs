using System.Text;
using Microsoft.Data.Sqlite;
using Pulse.Processing;
using Pulse.Processing.Aggregation;

namespace Pulse.Store;

public sealed partial class SqliteStore
{
    public IEnumerable<StoredCount> ScanCounts(RowFilter filter)
    {
        using SqliteConnection connection = OpenConnection();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = BuildScan("SELECT partition, bucket, type, page, product, country, device, count, revenue, late FROM counts", filter, command);
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            var key = new CellKey(filter.Mask, reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6));
            yield return new StoredCount(reader.GetInt32(0), reader.GetInt64(1), key, reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9));
        }
    }

    public IEnumerable<StoredUnique> ScanUniques(RowFilter filter)
    {
        using SqliteConnection connection = OpenConnection();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = BuildScan("SELECT partition, bucket, type, page, 0, country, device, sketch FROM uniques", filter, command);
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            var key = new CellKey(filter.Mask, reader.GetInt32(2), reader.GetInt32(3), 0, reader.GetInt32(5), reader.GetInt32(6));
            yield return new StoredUnique(reader.GetInt32(0), reader.GetInt64(1), key, (byte[])reader.GetValue(7));
        }
    }

    private static string BuildScan(string select, RowFilter filter, SqliteCommand command)
    {
        var sql = new StringBuilder(select);
        sql.Append(" WHERE res = $r AND mask = $m AND bucket >= $from AND bucket < $to");
        command.Parameters.AddWithValue("$r", (int)filter.Resolution);
        command.Parameters.AddWithValue("$m", (int)filter.Mask);
        command.Parameters.AddWithValue("$from", filter.FromBucket);
        command.Parameters.AddWithValue("$to", filter.ToBucket);
        int i = 0;
        foreach ((Dimension dimension, int id) in filter.Equalities)
        {
            string column = dimension switch
            {
                Dimension.Type => "type",
                Dimension.Page => "page",
                Dimension.Product => "product",
                Dimension.Country => "country",
                _ => "device",
            };
            sql.Append(" AND ").Append(column).Append(" = $e").Append(i);
            command.Parameters.AddWithValue("$e" + i, id);
            i++;
        }

        return sql.ToString();
    }
}
