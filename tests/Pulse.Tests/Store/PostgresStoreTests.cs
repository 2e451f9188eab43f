using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pulse.Processing;
using Pulse.Processing.Aggregation;
using Pulse.Processing.State;
using Pulse.Store;
using Pulse.Store.Postgres;

namespace Pulse.Tests.Store;

/// <summary>What only the PostgreSQL store has: migrations shared by nodes, and time partitions.</summary>
public sealed class PostgresStoreTests
{
    private const long Hour = 3_600_000;
    private const long T0 = 1_795_219_200_000 + (5 * Hour);

    [Fact]
    public void Two_stores_opened_at_the_same_moment_on_an_empty_database_run_the_migrations_once_and_both_work()
    {
        // A few empty databases, to give a race every chance to show.
        for (int round = 0; round < 3; round++)
        {
            string database = PostgresServer.Shared.CreateDatabase();
            using var together = new Barrier(2);
            Task<PostgresStore>[] opening = [.. Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(() =>
            {
                together.SignalAndWait();
                return PostgresStore.Open(database, NullLogger.Instance);
            }, TaskCreationOptions.LongRunning))];
            PostgresStore[] nodes = [.. opening.Select(t => t.GetAwaiter().GetResult())];
            try
            {
                Assert.Equal(PostgresMigrations.All.Select(m => m.Version), nodes.SelectMany(n => n.MigrationsApplied).Order());
                Assert.Equal(PostgresMigrations.All.Count, Scalar(database, "SELECT count(*) FROM schema_migrations"));

                // Both work, each on its own partitions, and each sees the other's commits.
                for (int node = 0; node < 2; node++)
                {
                    var snapshot = new CheckpointSnapshot(node) { Taken = true, Position = new Pulse.Log.LogPosition(10 + node, 0, 0), MaxEventTimeMs = T0 };
                    snapshot.Counts.Add(new CountRow(Resolution.Minute, T0, new CellKey(Dimension.Type, 1, 0, 0, 0, 0), 5 + node, 0, 0));
                    nodes[node].WriteCheckpoint([snapshot], [], T0);
                }

                Assert.Equal(11, nodes[0].LoadCheckpoint(1)!.Value.Position.Offset);
                Assert.Equal(10, nodes[1].LoadCheckpoint(0)!.Value.Position.Offset);
                Assert.Equal([5L, 6L], nodes[0].ScanCounts(new RowFilter { Resolution = Resolution.Minute, Mask = Dimension.Type, FromBucket = T0, ToBucket = T0 + Hour })
                    .OrderBy(r => r.Partition).Select(r => r.Count));
            }
            finally
            {
                foreach (PostgresStore node in nodes)
                {
                    node.Dispose();
                }
            }
        }
    }

    [Fact]
    public void A_store_reopened_on_a_current_schema_applies_no_migration()
    {
        string database = PostgresServer.Shared.CreateDatabase();
        using (PostgresStore first = PostgresStore.Open(database, NullLogger.Instance))
        {
            Assert.NotEmpty(first.MigrationsApplied);
        }

        using PostgresStore again = PostgresStore.Open(database, NullLogger.Instance);
        Assert.Empty(again.MigrationsApplied);
        Assert.Equal(PostgresMigrations.All.Count, Scalar(database, "SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public void Rollups_land_in_time_partitions_per_resolution_and_retention_drops_whole_expired_partitions()
    {
        string database = PostgresServer.Shared.CreateDatabase();
        using PostgresStore store = PostgresStore.Open(database, NullLogger.Instance);
        long now = T0 + (48 * Hour);
        var snapshot = new CheckpointSnapshot(0) { Taken = true, Position = new Pulse.Log.LogPosition(1, 0, 0), MaxEventTimeMs = now };
        // 1-second rows in each of the last 10 hours: ten hourly partitions of counts.
        for (int h = 1; h <= 10; h++)
        {
            snapshot.Counts.Add(new CountRow(Resolution.Second, now - (h * Hour), new CellKey(Dimension.Type, 1, 0, 0, 0, 0), h, 0, 0));
        }

        store.WriteCheckpoint([snapshot], [], now);
        long hourlyBefore = Scalar(database, "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'counts'::regclass AND c.relname LIKE 'counts_s_%'");
        Assert.Equal(10, hourlyBefore);
        Assert.Equal(10, Scalar(database, "SELECT count(*) FROM ONLY counts") + Scalar(database, "SELECT count(*) FROM counts WHERE res = 0"));

        // Keep 4.5 hours of seconds: partitions wholly older go, the one the cutoff falls in is trimmed.
        store.ApplyRetention(now, [TimeSpan.FromHours(4.5), TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero]);
        long hourlyAfter = Scalar(database, "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'counts'::regclass AND c.relname LIKE 'counts_s_%'");
        // The hours 6..10 back end before the cutoff and are dropped; the pass also creates the current and the next hour's ahead.
        Assert.Equal(10 - 5 + 2, hourlyAfter);
        Assert.Equal(0, Scalar(database, $"SELECT count(*) FROM rollup_partitions WHERE res = 0 AND hi <= {now - (long)TimeSpan.FromHours(4.5).TotalMilliseconds}"));
        Assert.Equal([1L, 2L, 3L, 4L], store.ScanCounts(new RowFilter { Resolution = Resolution.Second, Mask = Dimension.Type, FromBucket = 0, ToBucket = long.MaxValue })
            .Select(r => r.Count).Order());

        // A late write into a partition retention dropped re-creates it (another node may have dropped it too).
        var late = new CheckpointSnapshot(0) { Taken = true, Position = new Pulse.Log.LogPosition(2, 0, 0), MaxEventTimeMs = now };
        late.Counts.Add(new CountRow(Resolution.Second, now - (8 * Hour), new CellKey(Dimension.Type, 1, 0, 0, 0, 0), 80, 0, 0));
        using (PostgresStore other = PostgresStore.Open(database, NullLogger.Instance))
        {
            other.WriteCheckpoint([late], [], now);
        }

        Assert.Contains(80L, store.ScanCounts(new RowFilter { Resolution = Resolution.Second, Mask = Dimension.Type, FromBucket = 0, ToBucket = long.MaxValue }).Select(r => r.Count));
    }

    [Fact]
    public void A_checkpoint_after_the_server_dropped_the_writer_connection_fails_once_and_the_next_one_commits_on_a_new_connection()
    {
        string database = PostgresServer.Shared.CreateDatabase();
        using PostgresStore store = PostgresStore.Open(database, NullLogger.Instance);
        store.WriteCheckpoint([Checkpoint(partition: 0, offset: 1)], [], T0);

        // What a PostgreSQL restart or a failover does to the store's connections.
        Scalar(database, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
        Assert.ThrowsAny<System.Data.Common.DbException>(() => store.WriteCheckpoint([Checkpoint(partition: 0, offset: 2)], [], T0));

        store.WriteCheckpoint([Checkpoint(partition: 0, offset: 3)], [], T0);
        Assert.Equal(3, Scalar(database, "SELECT next_offset FROM checkpoints WHERE partition = 0"));
        Assert.Equal(3, Scalar(database, "SELECT count FROM counts WHERE partition = 0"));
    }

    private static CheckpointSnapshot Checkpoint(int partition, long offset)
    {
        var snapshot = new CheckpointSnapshot(partition) { Taken = true, Position = new Pulse.Log.LogPosition(offset, 0, 0), MaxEventTimeMs = T0 };
        snapshot.Counts.Add(new CountRow(Resolution.Minute, T0, new CellKey(Dimension.Type, 1, 0, 0, 0, 0), offset, 0, 0));
        return snapshot;
    }

    private static long Scalar(string database, string sql)
    {
        // Unpooled: the test's own reads must not pick up a connection the server dropped.
        using var connection = new NpgsqlConnection(database + ";Pooling=false");
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
