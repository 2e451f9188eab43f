using System.Text;
using Npgsql;
using Pulse.Analytics;
using Pulse.Analytics.Funnels;
using Pulse.Analytics.Metrics;
using Pulse.Analytics.Sessions;
using Pulse.Processing.Aggregation;
using Pulse.Processing.State;

namespace Pulse.Store.Postgres;

public sealed partial class PostgresStore
{
    public IEnumerable<StoredCount> ScanCounts(RowFilter filter)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using NpgsqlCommand command = BuildScan("SELECT partition, bucket, type, page, product, country, device, count, revenue, late FROM counts", filter, connection);
        using NpgsqlDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            var key = new CellKey(filter.Mask, reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6));
            yield return new StoredCount(reader.GetInt32(0), reader.GetInt64(1), key, reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9));
        }
    }

    public IEnumerable<StoredUnique> ScanUniques(RowFilter filter)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using NpgsqlCommand command = BuildScan("SELECT partition, bucket, type, page, 0, country, device, sketch FROM uniques", filter, connection);
        using NpgsqlDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            var key = new CellKey(filter.Mask, reader.GetInt32(2), reader.GetInt32(3), 0, reader.GetInt32(5), reader.GetInt32(6));
            yield return new StoredUnique(reader.GetInt32(0), reader.GetInt64(1), key, reader.GetFieldValue<byte[]>(7));
        }
    }

    private static NpgsqlCommand BuildScan(string select, RowFilter filter, NpgsqlConnection connection)
    {
        var sql = new StringBuilder(select).Append(" WHERE res = $1 AND mask = $2 AND bucket >= $3 AND bucket < $4");
        var command = new NpgsqlCommand { Connection = connection };
        command.Parameters.Add(Int((int)filter.Resolution));
        command.Parameters.Add(Int((int)filter.Mask));
        command.Parameters.Add(Long(filter.FromBucket));
        command.Parameters.Add(Long(filter.ToBucket));
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
            command.Parameters.Add(Int(id));
            sql.Append(" AND ").Append(column).Append(" = $").Append(command.Parameters.Count);
        }

        command.CommandText = sql.ToString();
        return command;
    }

    public IEnumerable<StoredSessionCell> ScanSessionCells(Resolution resolution, long fromBucket, long toBucket)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using NpgsqlCommand command = Range(connection,
            "SELECT partition, bucket, country, device, started, ended, bounces, duration, pages FROM session_cells WHERE res=$1 AND bucket >= $2 AND bucket < $3",
            resolution, fromBucket, toBucket);
        using NpgsqlDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            var key = new SessionCellKey(resolution, reader.GetInt64(1), reader.GetInt32(2), reader.GetInt32(3));
            yield return new StoredSessionCell(reader.GetInt32(0), key, ReadSessionCell(reader, 4));
        }
    }

    public IEnumerable<(int Partition, SessionPageKey Key, long Count)> ScanSessionPages(Resolution resolution, bool exit, long fromBucket, long toBucket)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using NpgsqlCommand command = Range(connection,
            "SELECT partition, bucket, page, count FROM session_pages WHERE res=$1 AND bucket >= $2 AND bucket < $3 AND exit=$4", resolution, fromBucket, toBucket);
        command.Parameters.Add(Int(exit ? 1 : 0));
        using NpgsqlDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return (reader.GetInt32(0), new SessionPageKey(resolution, reader.GetInt64(1), exit, reader.GetInt32(2)), reader.GetInt64(3));
        }
    }

    public IEnumerable<StoredFunnelCell> ScanFunnelCells(string funnel, Resolution resolution, long fromBucket, long toBucket)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using NpgsqlCommand command = Range(connection,
            "SELECT partition, step, bucket, sessions, users FROM funnel_cells WHERE res=$1 AND bucket >= $2 AND bucket < $3 AND funnel=$4", resolution, fromBucket, toBucket);
        command.Parameters.Add(Text(funnel));
        using NpgsqlDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return new StoredFunnelCell(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3), HyperLogLog.Deserialize(reader.GetFieldValue<byte[]>(4)));
        }
    }

    public IEnumerable<StoredMetricCell> ScanMetricCells(string metric, Resolution resolution, long fromBucket, long toBucket, MetricAggregate aggregate)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using NpgsqlCommand command = Range(connection,
            "SELECT count, sum, min, max, sketch, partition, bucket, g1, g2, g3 FROM metric_cells WHERE res=$1 AND bucket >= $2 AND bucket < $3 AND metric=$4",
            resolution, fromBucket, toBucket);
        command.Parameters.Add(Text(metric));
        using NpgsqlDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            var key = new UserMetricKey(metric, resolution, reader.GetInt64(6), reader.GetInt32(7), reader.GetInt32(8), reader.GetInt32(9));
            yield return new StoredMetricCell(reader.GetInt32(5), key, ReadMetricCell(reader, aggregate));
        }
    }

    public List<PatternMatchRecord> ScanMatches(string pattern, long from, long to, int limit)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using var command = new NpgsqlCommand(
            $"SELECT {StoreRows.MatchColumns} FROM pattern_matches WHERE pattern=$1 AND ts >= $2 AND ts < $3 ORDER BY ts DESC LIMIT $4", connection);
        command.Parameters.Add(Text(pattern));
        command.Parameters.Add(Long(from));
        command.Parameters.Add(Long(to));
        command.Parameters.Add(Int(limit));
        using NpgsqlDataReader reader = command.ExecuteReader();
        var matches = new List<PatternMatchRecord>();
        while (reader.Read())
        {
            matches.Add(StoreRows.Match(pattern, reader));
        }

        return matches;
    }

    public List<(long Bucket, long Count)> CountMatchesByTime(string pattern, long from, long to, long widthMs)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using var command = new NpgsqlCommand(
            "SELECT (ts - $2) / $4, COUNT(*) FROM pattern_matches WHERE pattern=$1 AND ts >= $2 AND ts < $3 GROUP BY 1", connection);
        command.Parameters.Add(Text(pattern));
        command.Parameters.Add(Long(from));
        command.Parameters.Add(Long(to));
        command.Parameters.Add(Long(widthMs));
        using NpgsqlDataReader reader = command.ExecuteReader();
        var buckets = new List<(long, long)>();
        while (reader.Read())
        {
            buckets.Add((from + (reader.GetInt64(0) * widthMs), reader.GetInt64(1)));
        }

        return buckets;
    }

    public bool HasMatch(int partition, PatternMatchRecord match)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using var command = new NpgsqlCommand(
            "SELECT 1 FROM pattern_matches WHERE pattern=$1 AND ts=$2 AND partition=$3 AND user_id=$4 AND session_id=$5 AND first_ts=$6", connection);
        command.Parameters.Add(Text(match.Pattern));
        command.Parameters.Add(Long(match.TimeMs));
        command.Parameters.Add(Int(partition));
        command.Parameters.Add(Text(match.UserId));
        command.Parameters.Add(Text(match.SessionId));
        command.Parameters.Add(Long(match.FirstTimeMs));
        return command.ExecuteScalar() is not null;
    }

    /// <summary>A command whose $1..$3 are resolution, first bucket and end bucket.</summary>
    private static NpgsqlCommand Range(NpgsqlConnection connection, string sql, Resolution resolution, long fromBucket, long toBucket)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(Int((int)resolution));
        command.Parameters.Add(Long(fromBucket));
        command.Parameters.Add(Long(toBucket));
        return command;
    }

    /// <summary>Columns count, sum, min, max, sketch (a HyperLogLog for unique metrics, a DDSketch for percentiles).</summary>
    private static UserMetricCell ReadMetricCell(NpgsqlDataReader reader, MetricAggregate aggregate)
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
            byte[] sketch = reader.GetFieldValue<byte[]>(4);
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

    private static SessionCell ReadSessionCell(NpgsqlDataReader reader, int first) => new()
    {
        Started = reader.GetInt64(first),
        Ended = reader.GetInt64(first + 1),
        Bounces = reader.GetInt64(first + 2),
        DurationSeconds = DDSketch.Deserialize(reader.GetFieldValue<byte[]>(first + 3)),
        Pages = DDSketch.Deserialize(reader.GetFieldValue<byte[]>(first + 4)),
    };
}
