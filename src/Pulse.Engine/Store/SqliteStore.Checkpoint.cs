using Microsoft.Data.Sqlite;
using Pulse.Processing;

namespace Pulse.Store;

public sealed partial class SqliteStore
{
    /// <summary>
    /// Commits new dictionary entries, every partition's changed cells and their log positions in one
    /// transaction: after a crash, state and offsets always agree, so replay counts nothing twice.
    /// </summary>
    public void WriteCheckpoint(IReadOnlyList<CheckpointSnapshot> snapshots, IReadOnlyList<(int Id, byte[] Value)> newDimensions, long nowMs)
    {
        using SqliteTransaction transaction = _writer.BeginTransaction();

        using (SqliteCommand command = _writer.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "INSERT OR REPLACE INTO dimensions(id, value) VALUES ($id, $v)";
            SqliteParameter id = command.Parameters.Add("$id", SqliteType.Integer);
            SqliteParameter value = command.Parameters.Add("$v", SqliteType.Blob);
            command.Prepare();
            foreach ((int Id, byte[] Value) entry in newDimensions)
            {
                id.Value = entry.Id;
                value.Value = entry.Value;
                command.ExecuteNonQuery();
            }
        }

        using (SqliteCommand command = _writer.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                INSERT OR REPLACE INTO counts(res, bucket, mask, partition, type, page, product, country, device, count, revenue, late)
                VALUES ($r, $b, $m, $p, $t, $pg, $pr, $c, $d, $n, $rev, $late)
                """;
            SqliteParameter r = command.Parameters.Add("$r", SqliteType.Integer);
            SqliteParameter b = command.Parameters.Add("$b", SqliteType.Integer);
            SqliteParameter m = command.Parameters.Add("$m", SqliteType.Integer);
            SqliteParameter p = command.Parameters.Add("$p", SqliteType.Integer);
            SqliteParameter t = command.Parameters.Add("$t", SqliteType.Integer);
            SqliteParameter pg = command.Parameters.Add("$pg", SqliteType.Integer);
            SqliteParameter pr = command.Parameters.Add("$pr", SqliteType.Integer);
            SqliteParameter c = command.Parameters.Add("$c", SqliteType.Integer);
            SqliteParameter d = command.Parameters.Add("$d", SqliteType.Integer);
            SqliteParameter n = command.Parameters.Add("$n", SqliteType.Integer);
            SqliteParameter rev = command.Parameters.Add("$rev", SqliteType.Integer);
            SqliteParameter late = command.Parameters.Add("$late", SqliteType.Integer);
            command.Prepare();
            foreach (CheckpointSnapshot snapshot in snapshots)
            {
                p.Value = snapshot.Partition;
                foreach (CountRow row in snapshot.Counts)
                {
                    r.Value = (int)row.Resolution;
                    b.Value = row.Bucket;
                    m.Value = (int)row.Key.Mask;
                    t.Value = row.Key.Type;
                    pg.Value = row.Key.Page;
                    pr.Value = row.Key.Product;
                    c.Value = row.Key.Country;
                    d.Value = row.Key.Device;
                    n.Value = row.Count;
                    rev.Value = row.RevenueMicros;
                    late.Value = row.Late;
                    command.ExecuteNonQuery();
                }
            }
        }

        using (SqliteCommand command = _writer.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                INSERT OR REPLACE INTO uniques(res, bucket, mask, partition, type, page, country, device, sketch)
                VALUES ($r, $b, $m, $p, $t, $pg, $c, $d, $s)
                """;
            SqliteParameter r = command.Parameters.Add("$r", SqliteType.Integer);
            SqliteParameter b = command.Parameters.Add("$b", SqliteType.Integer);
            SqliteParameter m = command.Parameters.Add("$m", SqliteType.Integer);
            SqliteParameter p = command.Parameters.Add("$p", SqliteType.Integer);
            SqliteParameter t = command.Parameters.Add("$t", SqliteType.Integer);
            SqliteParameter pg = command.Parameters.Add("$pg", SqliteType.Integer);
            SqliteParameter c = command.Parameters.Add("$c", SqliteType.Integer);
            SqliteParameter d = command.Parameters.Add("$d", SqliteType.Integer);
            SqliteParameter s = command.Parameters.Add("$s", SqliteType.Blob);
            command.Prepare();
            foreach (CheckpointSnapshot snapshot in snapshots)
            {
                p.Value = snapshot.Partition;
                foreach (UniqueRow row in snapshot.Uniques)
                {
                    r.Value = (int)row.Resolution;
                    b.Value = row.Bucket;
                    m.Value = (int)row.Key.Mask;
                    t.Value = row.Key.Type;
                    pg.Value = row.Key.Page;
                    c.Value = row.Key.Country;
                    d.Value = row.Key.Device;
                    s.Value = row.Sketch;
                    command.ExecuteNonQuery();
                }
            }
        }

        using (SqliteCommand command = _writer.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                INSERT OR REPLACE INTO checkpoints(partition, next_offset, segment, position, max_event_time, events_processed, updated_ms)
                VALUES ($p, $o, $s, $pos, $max, $n, $now)
                """;
            SqliteParameter p = command.Parameters.Add("$p", SqliteType.Integer);
            SqliteParameter o = command.Parameters.Add("$o", SqliteType.Integer);
            SqliteParameter s = command.Parameters.Add("$s", SqliteType.Integer);
            SqliteParameter pos = command.Parameters.Add("$pos", SqliteType.Integer);
            SqliteParameter max = command.Parameters.Add("$max", SqliteType.Integer);
            SqliteParameter n = command.Parameters.Add("$n", SqliteType.Integer);
            command.Parameters.AddWithValue("$now", nowMs);
            command.Prepare();
            foreach (CheckpointSnapshot snapshot in snapshots)
            {
                p.Value = snapshot.Partition;
                o.Value = snapshot.Position.Offset;
                s.Value = snapshot.Position.SegmentBaseOffset;
                pos.Value = snapshot.Position.BytePosition;
                max.Value = snapshot.MaxEventTimeMs;
                n.Value = snapshot.EventsProcessed;
                command.ExecuteNonQuery();
            }
        }

        transaction.Commit();
    }
}
