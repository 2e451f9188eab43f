using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Pulse.Store;
using Pulse.Tests.EndToEnd;

namespace Pulse.Tests.Store;

public sealed class StoreSchemaMigrationTests
{
    [Fact]
    public void A_version_1_store_opens_with_its_checkpoints_intact_and_seconds_at_the_base()
    {
        using var dir = new TempDirectory("pulse-migrate");
        string path = Path.Combine(dir.Path, "store.db");
        using (var v1 = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            v1.Open();
            using SqliteCommand create = v1.CreateCommand();
            create.CommandText = """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                INSERT INTO meta VALUES ('schema_version', '1');
                CREATE TABLE checkpoints (
                    partition INTEGER PRIMARY KEY, next_offset INTEGER NOT NULL, segment INTEGER NOT NULL,
                    position INTEGER NOT NULL, max_event_time INTEGER NOT NULL, events_processed INTEGER NOT NULL,
                    updated_ms INTEGER NOT NULL);
                INSERT INTO checkpoints VALUES (3, 1234, 1000, 56789, 1795219200000, 1234, 42);
                """;
            create.ExecuteNonQuery();
        }

        using (SqliteStore store = SqliteStore.Open(dir.Path, NullLogger.Instance))
        {
            StoredCheckpoint checkpoint = store.LoadCheckpoint(3)!.Value;
            Assert.Equal(1234, checkpoint.Position.Offset);
            Assert.Equal(1000, checkpoint.Position.SegmentBaseOffset);
            Assert.Equal(56789, checkpoint.Position.BytePosition);
            Assert.Equal(1795219200000, checkpoint.MaxEventTimeMs);
            Assert.Equal(1234, checkpoint.EventsProcessed);
            Assert.Equal(1234, checkpoint.SecondsOffset);
        }

        // Opening again (already version 2) changes nothing.
        using (SqliteStore again = SqliteStore.Open(dir.Path, NullLogger.Instance))
        {
            Assert.Equal(1234, again.LoadCheckpoint(3)!.Value.SecondsOffset);
        }

        using var check = new SqliteConnection($"Data Source={path};Pooling=False");
        check.Open();
        using SqliteCommand version = check.CreateCommand();
        version.CommandText = "SELECT value FROM meta WHERE key = 'schema_version'";
        Assert.Equal("3", version.ExecuteScalar());
    }
}
