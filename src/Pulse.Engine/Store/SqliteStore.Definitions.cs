using Microsoft.Data.Sqlite;
using Pulse.Analytics.Definitions;

namespace Pulse.Store;

public sealed partial class SqliteStore
{
    public IReadOnlyList<(string Name, string Json)> LoadDefinitions()
    {
        using SqliteConnection connection = OpenConnection();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT name, json FROM definitions ORDER BY name";
        using SqliteDataReader reader = command.ExecuteReader();
        var definitions = new List<(string, string)>();
        while (reader.Read())
        {
            definitions.Add((reader.GetString(0), reader.GetString(1)));
        }

        return definitions;
    }

    public void SaveDefinition(string name, string json, long nowMs)
    {
        using SqliteConnection connection = OpenConnection();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "INSERT OR REPLACE INTO definitions(name, json, updated_ms) VALUES ($n, $j, $t)";
        command.Parameters.AddWithValue("$n", name);
        command.Parameters.AddWithValue("$j", json);
        command.Parameters.AddWithValue("$t", nowMs);
        command.ExecuteNonQuery();
    }

    public bool DeleteDefinition(string name)
    {
        using SqliteConnection connection = OpenConnection();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "DELETE FROM definitions WHERE name = $n";
        command.Parameters.AddWithValue("$n", name);
        return command.ExecuteNonQuery() > 0;
    }
}
