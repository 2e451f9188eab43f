using Npgsql;

namespace Pulse.Store.Postgres;

public sealed partial class PostgresStore
{
    public IReadOnlyList<(string Name, string Json)> LoadDefinitions()
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using var command = new NpgsqlCommand("SELECT name, json FROM definitions ORDER BY name", connection);
        using NpgsqlDataReader reader = command.ExecuteReader();
        var definitions = new List<(string, string)>();
        while (reader.Read())
        {
            definitions.Add((reader.GetString(0), reader.GetString(1)));
        }

        return definitions;
    }

    public void SaveDefinition(string name, string json, long nowMs)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using var command = new NpgsqlCommand(
            "INSERT INTO definitions(name, json, updated_ms) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET json = EXCLUDED.json, updated_ms = EXCLUDED.updated_ms",
            connection);
        command.Parameters.Add(Text(name));
        command.Parameters.Add(Text(json));
        command.Parameters.Add(Long(nowMs));
        command.ExecuteNonQuery();
    }

    public bool DeleteDefinition(string name)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using var command = new NpgsqlCommand("DELETE FROM definitions WHERE name = $1", connection);
        command.Parameters.Add(Text(name));
        return command.ExecuteNonQuery() > 0;
    }
}
