using Npgsql;
using NpgsqlTypes;
using Pulse.Analytics;
using Pulse.Analytics.Metrics;
using Pulse.Processing;
using Pulse.Processing.Aggregation;

namespace Pulse.Store.Postgres;

public sealed partial class PostgresStore
{
    /// <summary>
    /// The upserted tables, their columns in order and how many lead columns are the key. Rows reach a
    /// table by binary COPY into its session-local staging twin, then one INSERT … SELECT … ON CONFLICT
    /// merges them: a few round trips per checkpoint however many rows it has.
    /// </summary>
    private static readonly (string Table, string[] Columns, int Keys)[] Merged =
    [
        ("counts", ["res", "mask", "bucket", "partition", "type", "page", "product", "country", "device", "count", "revenue", "late"], 9),
        ("uniques", ["res", "mask", "bucket", "partition", "type", "page", "country", "device", "sketch"], 8),
        ("session_cells", ["res", "bucket", "partition", "country", "device", "started", "ended", "bounces", "duration", "pages"], 5),
        ("session_pages", ["res", "exit", "bucket", "partition", "page", "count"], 5),
        ("funnel_cells", ["funnel", "res", "bucket", "partition", "step", "sessions", "users"], 5),
        ("metric_cells", ["metric", "res", "bucket", "partition", "g1", "g2", "g3", "count", "sum", "min", "max", "sketch"], 7),
        ("pattern_matches", ["pattern", "ts", "partition", "user_id", "session_id", "first_ts", "details"], 6),
    ];

    private const int Counts = 0, Uniques = 1, Sessions = 2, Pages = 3, Funnels = 4, MetricCells = 5, Matches = 6;

    private static void CreateStagingTables(NpgsqlConnection connection)
    {
        foreach ((string table, _, _) in Merged)
        {
            using var command = new NpgsqlCommand($"CREATE TEMP TABLE IF NOT EXISTS stage_{table} (LIKE {table}) ON COMMIT DELETE ROWS", connection);
            command.ExecuteNonQuery();
        }
    }

    public void WriteCheckpoint(IReadOnlyList<CheckpointSnapshot> snapshots, IReadOnlyList<(int Id, byte[] Value)> newDimensions, long nowMs) => Write(connection =>
    {
        EnsurePartitions(connection, snapshots.Where(s => s.Taken));
        using NpgsqlTransaction transaction = connection.BeginTransaction();
        WriteDimensions(connection, newDimensions);
        CopyCells(connection, snapshots.Where(s => s.Taken), static (_, _) => true);
        CopyAnalytics(connection, snapshots.Where(s => s.Taken && s.IncludesRollups && s.Analytics is not null).Select(s => (s.Partition, s.Analytics!)));

        using var batch = new NpgsqlBatch(connection);
        var secondsOnly = new List<int>();
        foreach (CheckpointSnapshot snapshot in snapshots)
        {
            if (!snapshot.Taken)
            {
                continue;
            }

            if (snapshot.IncludesRollups)
            {
                if (snapshot.Analytics is { } analytics)
                {
                    batch.BatchCommands.Add(new NpgsqlBatchCommand(
                        "INSERT INTO analytics_state(partition, state) VALUES ($1, $2) ON CONFLICT (partition) DO UPDATE SET state = EXCLUDED.state")
                    {
                        Parameters = { Int(snapshot.Partition), Bytes(analytics.State.WrittenSpan.ToArray()) },
                    });
                }

                batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                    INSERT INTO checkpoints(partition, next_offset, segment, position, max_event_time, events_processed, updated_ms, seconds_offset)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $2)
                    ON CONFLICT (partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, segment = EXCLUDED.segment, position = EXCLUDED.position,
                        max_event_time = EXCLUDED.max_event_time, events_processed = EXCLUDED.events_processed, updated_ms = EXCLUDED.updated_ms,
                        seconds_offset = EXCLUDED.seconds_offset
                    """)
                {
                    Parameters =
                    {
                        Int(snapshot.Partition), Long(snapshot.Position.Offset), Long(snapshot.Position.SegmentBaseOffset), Long(snapshot.Position.BytePosition),
                        Long(snapshot.MaxEventTimeMs), Long(snapshot.EventsProcessed), Long(nowMs),
                    },
                });
            }
            else
            {
                secondsOnly.Add(snapshot.Partition);
                batch.BatchCommands.Add(new NpgsqlBatchCommand("UPDATE checkpoints SET seconds_offset = $2, updated_ms = $3 WHERE partition = $1")
                {
                    Parameters = { Int(snapshot.Partition), Long(snapshot.Position.Offset), Long(nowMs) },
                });
            }
        }

        if (batch.BatchCommands.Count > 0)
        {
            batch.ExecuteNonQuery();
            foreach (NpgsqlBatchCommand command in batch.BatchCommands)
            {
                if (command.CommandText.StartsWith("UPDATE", StringComparison.Ordinal) && command.RecordsAffected != 1)
                {
                    throw new InvalidOperationException($"Partition {command.Parameters[0].Value}: a seconds-only checkpoint needs a full one before it.");
                }
            }
        }

        transaction.Commit();
        return 0;
    });

    public int ReplaceRollups(
        int partition, long fromMs, long toMs, CheckpointSnapshot? rollups, IReadOnlyList<UserMetric> metrics,
        AnalyticsSnapshot metricRows, IReadOnlyList<(int Id, byte[] Value)> newDimensions) => Write(connection =>
    {
        bool Inside(Resolution resolution, long bucket) => bucket >= Resolutions.Covered(resolution, fromMs, toMs).Lo && bucket < Resolutions.Covered(resolution, fromMs, toMs).Hi;
        bool MetricInside(UserMetricRow row) => Inside(row.Key.Resolution, row.Key.Bucket);
        if (rollups is not null)
        {
            EnsurePartitions(connection, [rollups]);
        }

        using NpgsqlTransaction transaction = connection.BeginTransaction();
        WriteDimensions(connection, newDimensions);
        int written = 0;
        using var delete = new NpgsqlBatch(connection);
        for (int r = 0; r < Resolutions.Count; r++)
        {
            (long lo, long hi) = Resolutions.Covered((Resolution)r, fromMs, toMs);
            if (rollups is not null)
            {
                foreach (string table in (ReadOnlySpan<string>)["counts", "uniques"])
                {
                    delete.BatchCommands.Add(new NpgsqlBatchCommand($"DELETE FROM {table} WHERE partition = $1 AND res = $2 AND bucket >= $3 AND bucket < $4")
                    {
                        Parameters = { Int(partition), Int(r), Long(lo), Long(hi) },
                    });
                }
            }

            if (PartitionAnalytics.AggregateResolutions.Contains((Resolution)r))
            {
                foreach (UserMetric metric in metrics)
                {
                    delete.BatchCommands.Add(new NpgsqlBatchCommand("DELETE FROM metric_cells WHERE metric = $1 AND partition = $2 AND res = $3 AND bucket >= $4 AND bucket < $5")
                    {
                        Parameters = { Text(metric.Name), Int(partition), Int(r), Long(lo), Long(hi) },
                    });
                }
            }
        }

        if (delete.BatchCommands.Count > 0)
        {
            delete.ExecuteNonQuery();
        }

        if (rollups is not null)
        {
            CopyCells(connection, [rollups], Inside);
            written += rollups.Counts.Count(row => Inside(row.Resolution, row.Bucket)) + rollups.Uniques.Count(row => Inside(row.Resolution, row.Bucket));
        }

        CopyMerge(connection, MetricCells, importer =>
        {
            foreach (UserMetricRow row in metricRows.Metrics)
            {
                if (MetricInside(row))
                {
                    WriteMetricRow(importer, partition, metricRows, row);
                }
            }
        });
        written += metricRows.Metrics.Count(MetricInside);
        transaction.Commit();
        return written;
    });

    /// <summary>Creates the time partitions the snapshots' rows need before their transaction starts (DDL of its own, shared by nodes).</summary>
    private void EnsurePartitions(NpgsqlConnection connection, IEnumerable<CheckpointSnapshot> snapshots)
    {
        var needed = new HashSet<(Resolution, long)>();
        void Need(Resolution resolution, long bucket)
        {
            if (!_partitions.IsKnown(resolution, bucket))
            {
                needed.Add((resolution, TimePartitions.StartOf(resolution, bucket)));
            }
        }

        foreach (CheckpointSnapshot snapshot in snapshots)
        {
            foreach (CountRow row in snapshot.Counts)
            {
                Need(row.Resolution, row.Bucket);
            }

            foreach (UniqueRow row in snapshot.Uniques)
            {
                Need(row.Resolution, row.Bucket);
            }

            if (snapshot.IncludesRollups && snapshot.Analytics is { } analytics)
            {
                foreach (SessionRow row in analytics.Sessions)
                {
                    Need(row.Key.Resolution, row.Key.Bucket);
                }

                foreach ((Pulse.Analytics.Sessions.SessionPageKey key, _) in analytics.Pages)
                {
                    Need(key.Resolution, key.Bucket);
                }

                foreach (FunnelRow row in analytics.Funnels)
                {
                    Need(row.Key.Resolution, row.Key.Bucket);
                }
            }
        }

        try
        {
            _partitions.Ensure(connection, needed);
        }
        catch (PostgresException)
        {
            _partitions.Forget();
            throw;
        }
    }

    private static void WriteDimensions(NpgsqlConnection connection, IReadOnlyList<(int Id, byte[] Value)> newDimensions)
    {
        if (newDimensions.Count == 0)
        {
            return;
        }

        using var command = new NpgsqlCommand(
            "INSERT INTO dimensions(id, value) SELECT * FROM unnest($1, $2) ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value", connection);
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. newDimensions.Select(d => d.Id)] });
        command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = [.. newDimensions.Select(d => d.Value)] });
        command.ExecuteNonQuery();
    }

    /// <summary>Copies the snapshots' count and sketch rows whose (resolution, bucket) <paramref name="include"/> accepts, and merges them.</summary>
    private static void CopyCells(NpgsqlConnection connection, IEnumerable<CheckpointSnapshot> snapshots, Func<Resolution, long, bool> include)
    {
        CheckpointSnapshot[] taken = [.. snapshots];
        CopyMerge(connection, Counts, importer =>
        {
            foreach (CheckpointSnapshot snapshot in taken)
            {
                foreach (CountRow row in snapshot.Counts)
                {
                    if (include(row.Resolution, row.Bucket))
                    {
                        importer.StartRow();
                        WriteKey(importer, row.Resolution, row.Bucket, snapshot.Partition, row.Key, withProduct: true);
                        importer.Write(row.Count, NpgsqlDbType.Bigint);
                        importer.Write(row.RevenueMicros, NpgsqlDbType.Bigint);
                        importer.Write(row.Late, NpgsqlDbType.Bigint);
                    }
                }
            }
        });
        CopyMerge(connection, Uniques, importer =>
        {
            foreach (CheckpointSnapshot snapshot in taken)
            {
                foreach (UniqueRow row in snapshot.Uniques)
                {
                    if (include(row.Resolution, row.Bucket))
                    {
                        importer.StartRow();
                        WriteKey(importer, row.Resolution, row.Bucket, snapshot.Partition, row.Key, withProduct: false);
                        importer.Write(snapshot.SketchBytes.WrittenMemory.Slice(row.SketchOffset, row.SketchLength), NpgsqlDbType.Bytea);
                    }
                }
            }
        });
    }

    /// <summary>Copies every partition's session, page, funnel, user-metric and match rows, and merges them.</summary>
    private static void CopyAnalytics(NpgsqlConnection connection, IEnumerable<(int Partition, AnalyticsSnapshot Snapshot)> analytics)
    {
        (int Partition, AnalyticsSnapshot Snapshot)[] all = [.. analytics];
        if (all.Length == 0)
        {
            return;
        }

        CopyMerge(connection, Sessions, importer =>
        {
            foreach ((int partition, AnalyticsSnapshot snapshot) in all)
            {
                foreach (SessionRow row in snapshot.Sessions)
                {
                    importer.StartRow();
                    importer.Write((int)row.Key.Resolution, NpgsqlDbType.Integer);
                    importer.Write(row.Key.Bucket, NpgsqlDbType.Bigint);
                    importer.Write(partition, NpgsqlDbType.Integer);
                    importer.Write(row.Key.Country, NpgsqlDbType.Integer);
                    importer.Write(row.Key.Device, NpgsqlDbType.Integer);
                    importer.Write(row.Started, NpgsqlDbType.Bigint);
                    importer.Write(row.Ended, NpgsqlDbType.Bigint);
                    importer.Write(row.Bounces, NpgsqlDbType.Bigint);
                    importer.Write(snapshot.Bytes.WrittenMemory.Slice(row.DurationOffset, row.DurationLength), NpgsqlDbType.Bytea);
                    importer.Write(snapshot.Bytes.WrittenMemory.Slice(row.PagesOffset, row.PagesLength), NpgsqlDbType.Bytea);
                }
            }
        });
        CopyMerge(connection, Pages, importer =>
        {
            foreach ((int partition, AnalyticsSnapshot snapshot) in all)
            {
                foreach ((Pulse.Analytics.Sessions.SessionPageKey key, long count) in snapshot.Pages)
                {
                    importer.StartRow();
                    importer.Write((int)key.Resolution, NpgsqlDbType.Integer);
                    importer.Write(key.Exit ? 1 : 0, NpgsqlDbType.Integer);
                    importer.Write(key.Bucket, NpgsqlDbType.Bigint);
                    importer.Write(partition, NpgsqlDbType.Integer);
                    importer.Write(key.Page, NpgsqlDbType.Integer);
                    importer.Write(count, NpgsqlDbType.Bigint);
                }
            }
        });
        CopyMerge(connection, Funnels, importer =>
        {
            foreach ((int partition, AnalyticsSnapshot snapshot) in all)
            {
                foreach (FunnelRow row in snapshot.Funnels)
                {
                    importer.StartRow();
                    importer.Write(row.Key.Funnel, NpgsqlDbType.Text);
                    importer.Write((int)row.Key.Resolution, NpgsqlDbType.Integer);
                    importer.Write(row.Key.Bucket, NpgsqlDbType.Bigint);
                    importer.Write(partition, NpgsqlDbType.Integer);
                    importer.Write(row.Key.Step, NpgsqlDbType.Integer);
                    importer.Write(row.Sessions, NpgsqlDbType.Bigint);
                    importer.Write(snapshot.Bytes.WrittenMemory.Slice(row.UsersOffset, row.UsersLength), NpgsqlDbType.Bytea);
                }
            }
        });
        CopyMerge(connection, MetricCells, importer =>
        {
            foreach ((int partition, AnalyticsSnapshot snapshot) in all)
            {
                foreach (UserMetricRow row in snapshot.Metrics)
                {
                    WriteMetricRow(importer, partition, snapshot, row);
                }
            }
        });
        // The key includes the match's own times: a match re-derived by a replay over an older
        // checkpoint replaces itself instead of appearing twice.
        CopyMerge(connection, Matches, importer =>
        {
            foreach ((int partition, AnalyticsSnapshot snapshot) in all)
            {
                foreach (PatternMatchRecord match in snapshot.Matches)
                {
                    importer.StartRow();
                    importer.Write(match.Pattern, NpgsqlDbType.Text);
                    importer.Write(match.TimeMs, NpgsqlDbType.Bigint);
                    importer.Write(partition, NpgsqlDbType.Integer);
                    importer.Write(match.UserId, NpgsqlDbType.Text);
                    importer.Write(match.SessionId, NpgsqlDbType.Text);
                    importer.Write(match.FirstTimeMs, NpgsqlDbType.Bigint);
                    importer.Write(match.DetailsJson, NpgsqlDbType.Text);
                }
            }
        });
    }

    private static void WriteMetricRow(NpgsqlBinaryImporter importer, int partition, AnalyticsSnapshot snapshot, UserMetricRow row)
    {
        importer.StartRow();
        importer.Write(row.Key.Metric, NpgsqlDbType.Text);
        importer.Write((int)row.Key.Resolution, NpgsqlDbType.Integer);
        importer.Write(row.Key.Bucket, NpgsqlDbType.Bigint);
        importer.Write(partition, NpgsqlDbType.Integer);
        importer.Write(row.Key.G1, NpgsqlDbType.Integer);
        importer.Write(row.Key.G2, NpgsqlDbType.Integer);
        importer.Write(row.Key.G3, NpgsqlDbType.Integer);
        importer.Write(row.Count, NpgsqlDbType.Bigint);
        importer.Write(row.Sum, NpgsqlDbType.Double);
        importer.Write(row.Count == 0 ? 0 : row.Min, NpgsqlDbType.Double);
        importer.Write(row.Count == 0 ? 0 : row.Max, NpgsqlDbType.Double);
        if (row.SketchLength == 0)
        {
            importer.WriteNull();
        }
        else
        {
            importer.Write(snapshot.Bytes.WrittenMemory.Slice(row.SketchOffset, row.SketchLength), NpgsqlDbType.Bytea);
        }
    }

    /// <summary>
    /// Binary-copies rows into <c>stage_TABLE</c> and merges them into TABLE, replacing rows of the
    /// same key (values are absolute). Each staging table is filled at most once per transaction and
    /// emptied by its commit (ON COMMIT DELETE ROWS).
    /// </summary>
    private static void CopyMerge(NpgsqlConnection connection, int table, Action<NpgsqlBinaryImporter> writeRows)
    {
        (string name, string[] columns, int keys) = Merged[table];
        string list = string.Join(", ", columns);
        ulong copied;
        using (NpgsqlBinaryImporter importer = connection.BeginBinaryImport($"COPY stage_{name} ({list}) FROM STDIN (FORMAT BINARY)"))
        {
            writeRows(importer);
            copied = importer.Complete();
        }

        if (copied == 0)
        {
            return;
        }

        string updates = string.Join(", ", columns.Skip(keys).Select(c => $"{c} = EXCLUDED.{c}"));
        using var merge = new NpgsqlCommand(
            $"INSERT INTO {name} ({list}) SELECT {list} FROM stage_{name} ON CONFLICT ({string.Join(", ", columns.Take(keys))}) DO UPDATE SET {updates}",
            connection);
        merge.ExecuteNonQuery();
    }

    /// <summary>Writes a row's key as its first columns, in column order; sketches are not kept per product.</summary>
    private static void WriteKey(NpgsqlBinaryImporter importer, Resolution resolution, long bucket, int partition, in CellKey key, bool withProduct)
    {
        importer.Write((int)resolution, NpgsqlDbType.Integer);
        importer.Write((int)key.Mask, NpgsqlDbType.Integer);
        importer.Write(bucket, NpgsqlDbType.Bigint);
        importer.Write(partition, NpgsqlDbType.Integer);
        importer.Write(key.Type, NpgsqlDbType.Integer);
        importer.Write(key.Page, NpgsqlDbType.Integer);
        if (withProduct)
        {
            importer.Write(key.Product, NpgsqlDbType.Integer);
        }

        importer.Write(key.Country, NpgsqlDbType.Integer);
        importer.Write(key.Device, NpgsqlDbType.Integer);
    }
}
