using System.Net;
using System.Text.Json;
using Pulse.Tests.Store;

namespace Pulse.Tests.EndToEnd;

/// <summary>
/// <c>pulse serve --store postgres</c> as a real process against the run's PostgreSQL: the same
/// seeded workload gives the same answers as an embedded (SQLite) server, and again after a restart.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class PostgresEndToEndTests : IClassFixture<PostgresDatabase>
{
    private static readonly long Start = GroundTruth.AlignDown(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (3 * 3_600_000), 3_600_000);
    private readonly PostgresDatabase _database;

    public PostgresEndToEndTests(PostgresDatabase database) => _database = database;

    [Fact]
    public async Task A_postgres_backed_server_answers_the_built_in_metrics_as_an_embedded_one_does_and_after_a_restart()
    {
        using var dir = new TempDirectory();
        Workload workload = await Workload.GenerateAsync(dir.Path, seed: 23, count: 12_000, Start);
        long from = GroundTruth.AlignDown(workload.MinTs, 3_600_000);
        long to = GroundTruth.AlignDown(workload.MaxTs, 3_600_000) + 3_600_000;

        Dictionary<string, string> embedded = await RunAsync(Path.Combine(dir.Path, "sqlite"), workload, from, to);
        string[] postgres = ["--store", "postgres", "--postgres", _database.ConnectionString];
        string data = Path.Combine(dir.Path, "postgres");
        Assert.Equal(embedded, await RunAsync(data, workload, from, to, postgres));

        // A restart reads its checkpoints, resident buckets and dictionary back from PostgreSQL.
        await using PulseProcess restarted = await PulseProcess.StartAsync(data, null, postgres);
        using HttpClient http = restarted.CreateClient();
        var client = new MetricsClient(http);
        Assert.Equal(embedded, await EngineEndToEndTests.SnapshotAnswersAsync(client, from, to));

        // The rollups are in PostgreSQL, not in a store.db under the data directory.
        Assert.False(File.Exists(Path.Combine(data, "store.db")));
        await using var connection = new Npgsql.NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT sum(count) FROM counts WHERE res = 2 AND mask = 1", connection);
        Assert.Equal(workload.Events.Count, Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<Dictionary<string, string>> RunAsync(string data, Workload workload, long from, long to, params string[] settings)
    {
        await using PulseProcess server = await PulseProcess.StartAsync(data, null, settings);
        using HttpClient http = server.CreateClient();
        var client = new MetricsClient(http);
        foreach ((_, string body, List<TruthEvent> events) in workload.Batches(1000))
        {
            (HttpStatusCode status, JsonElement response) = await client.PostNdjsonAsync(body);
            Assert.Equal(HttpStatusCode.Accepted, status);
            Assert.Equal(events.Count, response.GetProperty("accepted").GetInt32());
        }

        await client.WaitForTotalAsync(from, to, workload.Events.Count, TimeSpan.FromSeconds(60));
        await GroundTruth.AssertEngineMatchesAsync(client, workload.Events);
        Dictionary<string, string> answers = await EngineEndToEndTests.SnapshotAnswersAsync(client, from, to);
        await server.StopAsync();
        return answers;
    }
}
