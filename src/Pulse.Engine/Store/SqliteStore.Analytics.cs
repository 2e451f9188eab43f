using Microsoft.Data.Sqlite;
using Pulse.Analytics;
using Pulse.Analytics.Funnels;
using Pulse.Analytics.Metrics;
using Pulse.Analytics.Sessions;
using Pulse.Processing.Aggregation;
using Pulse.Processing.State;

namespace Pulse.Store;

public sealed partial class SqliteStore
{
    public UserMetricCell? TryLoadMetricCell(int partition, in UserMetricKey key, MetricAggregate aggregate)
    {
        lock (_pointGate)
        {
            using SqliteCommand command = _pointReader.CreateCommand();
            command.CommandText = "SELECT count, sum, min, max, sketch FROM metric_cells WHERE metric=$m AND res=$r AND bucket=$b AND partition=$p AND g1=$g1 AND g2=$g2 AND g3=$g3";
            command.Parameters.AddWithValue("$m", key.Metric);
            command.Parameters.AddWithValue("$r", (int)key.Resolution);
            command.Parameters.AddWithValue("$b", key.Bucket);
            command.Parameters.AddWithValue("$p", partition);
            command.Parameters.AddWithValue("$g1", key.G1);
            command.Parameters.AddWithValue("$g2", key.G2);
            command.Parameters.AddWithValue("$g3", key.G3);
            using SqliteDataReader reader = command.ExecuteReader();
            return reader.Read() ? ReadMetricCell(reader, aggregate) : null;
        }
    }

    public long StoredThrough(int partition)
    {
        lock (_pointGate)
        {
            using SqliteCommand command = _pointReader.CreateCommand();
            command.CommandText = "SELECT MAX(bucket) FROM metric_cells WHERE partition = $p";
            command.Parameters.AddWithValue("$p", partition);
            return command.ExecuteScalar() is long bucket ? bucket + Resolution.Day.WidthMs() : long.MinValue;
        }
    }

    /// <summary>Stored aggregates of a user metric at one resolution with buckets in [from, to).</summary>
    public IEnumerable<StoredMetricCell> ScanMetricCells(string metric, Resolution resolution, long fromBucket, long toBucket, MetricAggregate aggregate)
    {
        using SqliteConnection connection = OpenConnection();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT count, sum, min, max, sketch, partition, bucket, g1, g2, g3 FROM metric_cells WHERE metric=$m AND res=$r AND bucket >= $from AND bucket < $to";
        AddRange(command, resolution, fromBucket, toBucket);
        command.Parameters.AddWithValue("$m", metric);
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            var key = new UserMetricKey(metric, resolution, reader.GetInt64(6), reader.GetInt32(7), reader.GetInt32(8), reader.GetInt32(9));
            yield return new StoredMetricCell(reader.GetInt32(5), key, ReadMetricCell(reader, aggregate));
        }
    }

    /// <summary>Deletes a user metric's rollups older than its own retention (at every resolution).</summary>
    public int ApplyMetricRetention(string metric, long beforeMs)
    {
        using SqliteCommand command = _writer.CreateCommand();
        command.CommandText = "DELETE FROM metric_cells WHERE metric = $m AND bucket < $before";
        command.Parameters.AddWithValue("$m", metric);
        command.Parameters.AddWithValue("$before", beforeMs);
        return command.ExecuteNonQuery();
    }

    /// <summary>Columns count, sum, min, max, sketch (a HyperLogLog for unique metrics, a DDSketch for percentiles).</summary>
    private static UserMetricCell ReadMetricCell(SqliteDataReader reader, MetricAggregate aggregate)
    {
        long count = reader.GetInt64(0);
        var cell = new UserMetricCell
        {
            Count = count,
            Sum = reader.GetDouble(1),
            Min = count == 0 ? double.PositiveInfinity : reader.GetDouble(2),
            Max = count == 0 ? double.NegativeInfinity : reader.GetDouble(3),
        };
        if (!reader.IsDBNull(4))
        {
            byte[] sketch = (byte[])reader.GetValue(4);
            if (aggregate == MetricAggregate.Unique)
            {
                cell.Distinct = HyperLogLog.Deserialize(sketch);
            }
            else
            {
                cell.Values = DDSketch.Deserialize(sketch);
            }
        }

        return cell;
    }

    /// <summary>Writes one partition's analytics changes and state inside the checkpoint's transaction.</summary>
    private void WriteAnalytics(SqliteTransaction transaction, int partition, AnalyticsSnapshot snapshot)
    {
        using (SqliteCommand put = Command(transaction, """
            INSERT OR REPLACE INTO session_cells(res, bucket, partition, country, device, started, ended, bounces, duration, pages)
            VALUES ($r, $b, $p, $c, $d, $s, $e, $n, $du, $pg)
            """))
        {
            foreach (SessionRow row in snapshot.Sessions)
            {
                Set(put, "$r", (int)row.Key.Resolution);
                Set(put, "$b", row.Key.Bucket);
                Set(put, "$p", partition);
                Set(put, "$c", row.Key.Country);
                Set(put, "$d", row.Key.Device);
                Set(put, "$s", row.Started);
                Set(put, "$e", row.Ended);
                Set(put, "$n", row.Bounces);
                Set(put, "$du", snapshot.Slice(row.DurationOffset, row.DurationLength).ToArray());
                Set(put, "$pg", snapshot.Slice(row.PagesOffset, row.PagesLength).ToArray());
                put.ExecuteNonQuery();
            }
        }

        using (SqliteCommand put = Command(transaction, "INSERT OR REPLACE INTO session_pages(res, exit, bucket, partition, page, count) VALUES ($r, $x, $b, $p, $pg, $n)"))
        {
            foreach ((SessionPageKey key, long count) in snapshot.Pages)
            {
                Set(put, "$r", (int)key.Resolution);
                Set(put, "$x", key.Exit ? 1 : 0);
                Set(put, "$b", key.Bucket);
                Set(put, "$p", partition);
                Set(put, "$pg", key.Page);
                Set(put, "$n", count);
                put.ExecuteNonQuery();
            }
        }

        using (SqliteCommand put = Command(transaction, "INSERT OR REPLACE INTO funnel_cells(funnel, res, bucket, partition, step, sessions, users) VALUES ($f, $r, $b, $p, $s, $n, $u)"))
        {
            foreach (FunnelRow row in snapshot.Funnels)
            {
                Set(put, "$f", row.Key.Funnel);
                Set(put, "$r", (int)row.Key.Resolution);
                Set(put, "$b", row.Key.Bucket);
                Set(put, "$p", partition);
                Set(put, "$s", row.Key.Step);
                Set(put, "$n", row.Sessions);
                Set(put, "$u", snapshot.Slice(row.UsersOffset, row.UsersLength).ToArray());
                put.ExecuteNonQuery();
            }
        }

        // The key includes the match's own times: a match re-derived by a replay over an older
        // checkpoint replaces itself instead of appearing twice.
        using (SqliteCommand put = Command(transaction, """
            INSERT OR REPLACE INTO pattern_matches(pattern, ts, partition, user_id, session_id, first_ts, details)
            VALUES ($pt, $t, $p, $u, $s, $f, $d)
            """))
        {
            foreach (PatternMatchRecord match in snapshot.Matches)
            {
                Set(put, "$pt", match.Pattern);
                Set(put, "$t", match.TimeMs);
                Set(put, "$p", partition);
                Set(put, "$u", match.UserId);
                Set(put, "$s", match.SessionId);
                Set(put, "$f", match.FirstTimeMs);
                Set(put, "$d", match.DetailsJson);
                put.ExecuteNonQuery();
            }
        }

        WriteMetricRows(transaction, partition, snapshot, static _ => true);

        using (SqliteCommand put = Command(transaction, "INSERT OR REPLACE INTO analytics_state(partition, state) VALUES ($p, $s)"))
        {
            Set(put, "$p", partition);
            Set(put, "$s", snapshot.State.WrittenSpan.ToArray());
            put.ExecuteNonQuery();
        }
    }

    /// <summary>Writes a snapshot's user-metric rows (those <paramref name="include"/> accepts) inside <paramref name="transaction"/>.</summary>
    private void WriteMetricRows(SqliteTransaction transaction, int partition, AnalyticsSnapshot snapshot, Func<UserMetricRow, bool> include)
    {
        using (SqliteCommand put = Command(transaction, """
            INSERT OR REPLACE INTO metric_cells(metric, res, bucket, partition, g1, g2, g3, count, sum, min, max, sketch)
            VALUES ($m, $r, $b, $p, $g1, $g2, $g3, $n, $s, $lo, $hi, $k)
            """))
        {
            foreach (UserMetricRow row in snapshot.Metrics)
            {
                if (!include(row))
                {
                    continue;
                }

                Set(put, "$m", row.Key.Metric);
                Set(put, "$r", (int)row.Key.Resolution);
                Set(put, "$b", row.Key.Bucket);
                Set(put, "$p", partition);
                Set(put, "$g1", row.Key.G1);
                Set(put, "$g2", row.Key.G2);
                Set(put, "$g3", row.Key.G3);
                Set(put, "$n", row.Count);
                Set(put, "$s", row.Sum);
                Set(put, "$lo", row.Count == 0 ? 0 : row.Min);
                Set(put, "$hi", row.Count == 0 ? 0 : row.Max);
                Set(put, "$k", row.SketchLength == 0 ? DBNull.Value : snapshot.Slice(row.SketchOffset, row.SketchLength).ToArray());
                put.ExecuteNonQuery();
            }
        }
    }

    /// <summary>The analytics state of the partition's last full checkpoint, or null.</summary>
    public byte[]? LoadAnalyticsState(int partition)
    {
        using SqliteCommand command = _writer.CreateCommand();
        command.CommandText = "SELECT state FROM analytics_state WHERE partition = $p";
        command.Parameters.AddWithValue("$p", partition);
        return command.ExecuteScalar() as byte[];
    }

    public SessionCell? TryLoadSessionCell(int partition, in SessionCellKey key)
    {
        lock (_pointGate)
        {
            using SqliteCommand command = _pointReader.CreateCommand();
            command.CommandText = "SELECT started, ended, bounces, duration, pages FROM session_cells WHERE res=$r AND bucket=$b AND partition=$p AND country=$c AND device=$d";
            command.Parameters.AddWithValue("$r", (int)key.Resolution);
            command.Parameters.AddWithValue("$b", key.Bucket);
            command.Parameters.AddWithValue("$p", partition);
            command.Parameters.AddWithValue("$c", key.Country);
            command.Parameters.AddWithValue("$d", key.Device);
            using SqliteDataReader reader = command.ExecuteReader();
            return reader.Read() ? ReadSessionCell(reader, 0) : null;
        }
    }

    public long? TryLoadSessionPage(int partition, in SessionPageKey key)
    {
        lock (_pointGate)
        {
            using SqliteCommand command = _pointReader.CreateCommand();
            command.CommandText = "SELECT count FROM session_pages WHERE res=$r AND exit=$x AND bucket=$b AND partition=$p AND page=$pg";
            command.Parameters.AddWithValue("$r", (int)key.Resolution);
            command.Parameters.AddWithValue("$x", key.Exit ? 1 : 0);
            command.Parameters.AddWithValue("$b", key.Bucket);
            command.Parameters.AddWithValue("$p", partition);
            command.Parameters.AddWithValue("$pg", key.Page);
            return command.ExecuteScalar() is long count ? count : null;
        }
    }

    public FunnelCell? TryLoadFunnelCell(int partition, in FunnelCellKey key)
    {
        lock (_pointGate)
        {
            using SqliteCommand command = _pointReader.CreateCommand();
            command.CommandText = "SELECT sessions, users FROM funnel_cells WHERE funnel=$f AND res=$r AND bucket=$b AND partition=$p AND step=$s";
            command.Parameters.AddWithValue("$f", key.Funnel);
            command.Parameters.AddWithValue("$r", (int)key.Resolution);
            command.Parameters.AddWithValue("$b", key.Bucket);
            command.Parameters.AddWithValue("$p", partition);
            command.Parameters.AddWithValue("$s", key.Step);
            using SqliteDataReader reader = command.ExecuteReader();
            return reader.Read() ? new FunnelCell { Sessions = reader.GetInt64(0), Users = HyperLogLog.Deserialize((byte[])reader.GetValue(1)) } : null;
        }
    }

    public IEnumerable<StoredSessionCell> ScanSessionCells(Resolution resolution, long fromBucket, long toBucket)
    {
        using SqliteConnection connection = OpenConnection();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT partition, bucket, country, device, started, ended, bounces, duration, pages FROM session_cells WHERE res=$r AND bucket >= $from AND bucket < $to";
        AddRange(command, resolution, fromBucket, toBucket);
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            var key = new SessionCellKey(resolution, reader.GetInt64(1), reader.GetInt32(2), reader.GetInt32(3));
            yield return new StoredSessionCell(reader.GetInt32(0), key, ReadSessionCell(reader, 4));
        }
    }

    public IEnumerable<(int Partition, SessionPageKey Key, long Count)> ScanSessionPages(Resolution resolution, bool exit, long fromBucket, long toBucket)
    {
        using SqliteConnection connection = OpenConnection();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT partition, bucket, page, count FROM session_pages WHERE res=$r AND exit=$x AND bucket >= $from AND bucket < $to";
        AddRange(command, resolution, fromBucket, toBucket);
        command.Parameters.AddWithValue("$x", exit ? 1 : 0);
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return (reader.GetInt32(0), new SessionPageKey(resolution, reader.GetInt64(1), exit, reader.GetInt32(2)), reader.GetInt64(3));
        }
    }

    public IEnumerable<StoredFunnelCell> ScanFunnelCells(string funnel, Resolution resolution, long fromBucket, long toBucket)
    {
        using SqliteConnection connection = OpenConnection();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT partition, step, bucket, sessions, users FROM funnel_cells WHERE funnel=$f AND res=$r AND bucket >= $from AND bucket < $to";
        AddRange(command, resolution, fromBucket, toBucket);
        command.Parameters.AddWithValue("$f", funnel);
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return new StoredFunnelCell(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3), HyperLogLog.Deserialize((byte[])reader.GetValue(4)));
        }
    }

    /// <summary>Stored matches of a pattern with <c>ts</c> in [from, to), newest first.</summary>
    public List<PatternMatchRecord> ScanMatches(string pattern, long from, long to, int limit)
    {
        using SqliteConnection connection = OpenConnection();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = $"SELECT {StoreRows.MatchColumns} FROM pattern_matches WHERE pattern=$pt AND ts >= $from AND ts < $to ORDER BY ts DESC LIMIT $n";
        command.Parameters.AddWithValue("$pt", pattern);
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$to", to);
        command.Parameters.AddWithValue("$n", limit);
        using SqliteDataReader reader = command.ExecuteReader();
        var matches = new List<PatternMatchRecord>();
        while (reader.Read())
        {
            matches.Add(StoreRows.Match(pattern, reader));
        }

        return matches;
    }

    /// <summary>Stored matches of a pattern with <c>ts</c> in [from, to), counted per <paramref name="widthMs"/> from <paramref name="from"/>: (bucket start, count).</summary>
    public List<(long Bucket, long Count)> CountMatchesByTime(string pattern, long from, long to, long widthMs)
    {
        using SqliteConnection connection = OpenConnection();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT (ts - $from) / $w, COUNT(*) FROM pattern_matches WHERE pattern=$pt AND ts >= $from AND ts < $to GROUP BY 1";
        command.Parameters.AddWithValue("$pt", pattern);
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$to", to);
        command.Parameters.AddWithValue("$w", widthMs);
        using SqliteDataReader reader = command.ExecuteReader();
        var buckets = new List<(long, long)>();
        while (reader.Read())
        {
            buckets.Add((from + (reader.GetInt64(0) * widthMs), reader.GetInt64(1)));
        }

        return buckets;
    }

    /// <summary>Whether this exact match is stored (its checkpoint committed).</summary>
    public bool HasMatch(int partition, PatternMatchRecord match)
    {
        using SqliteConnection connection = OpenConnection();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM pattern_matches WHERE pattern=$pt AND ts=$t AND partition=$p AND user_id=$u AND session_id=$s AND first_ts=$f";
        command.Parameters.AddWithValue("$pt", match.Pattern);
        command.Parameters.AddWithValue("$t", match.TimeMs);
        command.Parameters.AddWithValue("$p", partition);
        command.Parameters.AddWithValue("$u", match.UserId);
        command.Parameters.AddWithValue("$s", match.SessionId);
        command.Parameters.AddWithValue("$f", match.FirstTimeMs);
        return command.ExecuteScalar() is not null;
    }

    private static SessionCell ReadSessionCell(SqliteDataReader reader, int first) => new()
    {
        Started = reader.GetInt64(first),
        Ended = reader.GetInt64(first + 1),
        Bounces = reader.GetInt64(first + 2),
        DurationSeconds = DDSketch.Deserialize((byte[])reader.GetValue(first + 3)),
        Pages = DDSketch.Deserialize((byte[])reader.GetValue(first + 4)),
    };

    private static void AddRange(SqliteCommand command, Resolution resolution, long fromBucket, long toBucket)
    {
        command.Parameters.AddWithValue("$r", (int)resolution);
        command.Parameters.AddWithValue("$from", fromBucket);
        command.Parameters.AddWithValue("$to", toBucket);
    }

    private SqliteCommand Command(SqliteTransaction transaction, string sql)
    {
        SqliteCommand command = _writer.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void Set(SqliteCommand command, string name, object value)
    {
        if (command.Parameters.Contains(name))
        {
            command.Parameters[name].Value = value;
        }
        else
        {
            command.Parameters.AddWithValue(name, value);
        }
    }
}
