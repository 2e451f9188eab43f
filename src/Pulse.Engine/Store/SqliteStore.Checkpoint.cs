using Microsoft.Data.Sqlite;
using Pulse.Processing;
using Pulse.Processing.Aggregation;

namespace Pulse.Store;

public sealed partial class SqliteStore
{
    private RawStatement? _putDimension;
    private RawStatement? _putCount;
    private RawStatement? _putUnique;
    private RawStatement? _putCheckpoint;
    private RawStatement? _advanceSeconds;

    /// <summary>
    /// Commits new dictionary entries, every partition's changed cells and their log positions in one
    /// transaction: after a crash, state and offsets always agree, so replay counts nothing twice.
    /// A full snapshot moves the partition's replay base; a seconds-only one moves only the offset
    /// its 1-second rows reach.
    /// </summary>
    public void WriteCheckpoint(IReadOnlyList<CheckpointSnapshot> snapshots, IReadOnlyList<(int Id, byte[] Value)> newDimensions, long nowMs)
    {
        PrepareCellStatements();
        _putCheckpoint ??= new RawStatement(_writer, """
            INSERT OR REPLACE INTO checkpoints(partition, next_offset, segment, position, max_event_time, events_processed, updated_ms, seconds_offset)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?2)
            """);
        _advanceSeconds ??= new RawStatement(_writer, "UPDATE checkpoints SET seconds_offset = ?2, updated_ms = ?3 WHERE partition = ?1");

        using SqliteTransaction transaction = _writer.BeginTransaction();
        WriteDimensions(newDimensions);
        foreach (CheckpointSnapshot snapshot in snapshots)
        {
            if (!snapshot.Taken)
            {
                continue;
            }

            WriteCells(snapshot, static (_, _) => true);

            if (snapshot.IncludesRollups && snapshot.Analytics is { } analytics)
            {
                WriteAnalytics(transaction, snapshot.Partition, analytics);
            }

            if (snapshot.IncludesRollups)
            {
                RawStatement c = _putCheckpoint;
                c.Bind(1, snapshot.Partition);
                c.Bind(2, snapshot.Position.Offset);
                c.Bind(3, snapshot.Position.SegmentBaseOffset);
                c.Bind(4, snapshot.Position.BytePosition);
                c.Bind(5, snapshot.MaxEventTimeMs);
                c.Bind(6, snapshot.EventsProcessed);
                c.Bind(7, nowMs);
                c.Execute();
            }
            else
            {
                RawStatement c = _advanceSeconds;
                c.Bind(1, snapshot.Partition);
                c.Bind(2, snapshot.Position.Offset);
                c.Bind(3, nowMs);
                if (c.Execute() != 1)
                {
                    throw new InvalidOperationException($"Partition {snapshot.Partition}: a seconds-only checkpoint needs a full one before it.");
                }
            }
        }

        transaction.Commit();
    }

    private void PrepareCellStatements()
    {
        _putDimension ??= new RawStatement(_writer, "INSERT OR REPLACE INTO dimensions(id, value) VALUES (?1, ?2)");
        _putCount ??= new RawStatement(_writer, """
            INSERT OR REPLACE INTO counts(res, bucket, mask, partition, type, page, product, country, device, count, revenue, late)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
            """);
        _putUnique ??= new RawStatement(_writer, """
            INSERT OR REPLACE INTO uniques(res, bucket, mask, partition, type, page, country, device, sketch)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
            """);
    }

    private void WriteDimensions(IReadOnlyList<(int Id, byte[] Value)> newDimensions)
    {
        foreach ((int id, byte[] value) in newDimensions)
        {
            _putDimension!.Bind(1, id);
            _putDimension.Bind(2, value);
            _putDimension.Execute();
        }
    }

    /// <summary>Writes a snapshot's count and sketch rows whose (resolution, bucket) <paramref name="include"/> accepts.</summary>
    private void WriteCells(CheckpointSnapshot snapshot, Func<Resolution, long, bool> include)
    {
        foreach (CountRow row in snapshot.Counts)
        {
            if (include(row.Resolution, row.Bucket))
            {
                RawStatement s = _putCount!;
                BindKey(s, row.Resolution, row.Bucket, snapshot.Partition, row.Key, withProduct: true);
                s.Bind(10, row.Count);
                s.Bind(11, row.RevenueMicros);
                s.Bind(12, row.Late);
                s.Execute();
            }
        }

        foreach (UniqueRow row in snapshot.Uniques)
        {
            if (include(row.Resolution, row.Bucket))
            {
                RawStatement s = _putUnique!;
                BindKey(s, row.Resolution, row.Bucket, snapshot.Partition, row.Key, withProduct: false);
                s.Bind(9, snapshot.SketchOf(row));
                s.Execute();
            }
        }
    }

    /// <summary>
    /// Replaces, in one transaction, a partition's stored rows of every bucket wholly inside
    /// [<paramref name="fromMs"/>, <paramref name="toMs"/>) with recomputed ones: the event rollups
    /// when <paramref name="rollups"/> is given, and the cells of <paramref name="metrics"/>.
    /// </summary>
    /// <returns>The rows written.</returns>
    public int ReplaceRollups(
        int partition, long fromMs, long toMs, CheckpointSnapshot? rollups, IReadOnlyList<Pulse.Analytics.Metrics.UserMetric> metrics,
        Pulse.Analytics.AnalyticsSnapshot metricRows, IReadOnlyList<(int Id, byte[] Value)> newDimensions)
    {
        PrepareCellStatements();
        using SqliteTransaction transaction = _writer.BeginTransaction();
        WriteDimensions(newDimensions);
        int written = 0;
        if (rollups is not null)
        {
            for (int r = 0; r < Resolutions.Count; r++)
            {
                (long lo, long hi) = Resolutions.Covered((Resolution)r, fromMs, toMs);
                foreach (string table in (ReadOnlySpan<string>)["counts", "uniques"])
                {
                    using SqliteCommand delete = _writer.CreateCommand();
                    delete.Transaction = transaction;
                    delete.CommandText = $"DELETE FROM {table} WHERE partition = $p AND res = $r AND bucket >= $lo AND bucket < $hi";
                    delete.Parameters.AddWithValue("$p", partition);
                    delete.Parameters.AddWithValue("$r", r);
                    delete.Parameters.AddWithValue("$lo", lo);
                    delete.Parameters.AddWithValue("$hi", hi);
                    delete.ExecuteNonQuery();
                }
            }

            bool Inside(Resolution resolution, long bucket) => bucket >= Resolutions.Covered(resolution, fromMs, toMs).Lo && bucket < Resolutions.Covered(resolution, fromMs, toMs).Hi;
            WriteCells(rollups, Inside);
            written += rollups.Counts.Count(row => Inside(row.Resolution, row.Bucket)) + rollups.Uniques.Count(row => Inside(row.Resolution, row.Bucket));
        }

        foreach (Pulse.Analytics.Metrics.UserMetric metric in metrics)
        {
            foreach (Resolution resolution in Pulse.Analytics.PartitionAnalytics.AggregateResolutions)
            {
                (long lo, long hi) = Resolutions.Covered(resolution, fromMs, toMs);
                using SqliteCommand delete = _writer.CreateCommand();
                delete.Transaction = transaction;
                delete.CommandText = "DELETE FROM metric_cells WHERE metric = $m AND partition = $p AND res = $r AND bucket >= $lo AND bucket < $hi";
                delete.Parameters.AddWithValue("$m", metric.Name);
                delete.Parameters.AddWithValue("$p", partition);
                delete.Parameters.AddWithValue("$r", (int)resolution);
                delete.Parameters.AddWithValue("$lo", lo);
                delete.Parameters.AddWithValue("$hi", hi);
                delete.ExecuteNonQuery();
            }
        }

        bool MetricInside(Pulse.Analytics.UserMetricRow row) =>
            row.Key.Bucket >= Resolutions.Covered(row.Key.Resolution, fromMs, toMs).Lo && row.Key.Bucket < Resolutions.Covered(row.Key.Resolution, fromMs, toMs).Hi;
        WriteMetricRows(transaction, partition, metricRows, MetricInside);
        written += metricRows.Metrics.Count(MetricInside);
        transaction.Commit();
        return written;
    }

    /// <summary>Binds a row's key as parameters 1.. in column order; sketches are not kept per product.</summary>
    private static void BindKey(RawStatement s, Resolution resolution, long bucket, int partition, in CellKey key, bool withProduct)
    {
        int i = 1;
        s.Bind(i++, (long)resolution);
        s.Bind(i++, bucket);
        s.Bind(i++, (long)key.Mask);
        s.Bind(i++, partition);
        s.Bind(i++, key.Type);
        s.Bind(i++, key.Page);
        if (withProduct)
        {
            s.Bind(i++, key.Product);
        }

        s.Bind(i++, key.Country);
        s.Bind(i, key.Device);
    }

    private void DisposeStatements()
    {
        _putDimension?.Dispose();
        _putCount?.Dispose();
        _putUnique?.Dispose();
        _putCheckpoint?.Dispose();
        _advanceSeconds?.Dispose();
    }
}
