using Npgsql;
using Pulse.Analytics.Funnels;
using Pulse.Analytics.Metrics;
using Pulse.Analytics.Sessions;
using Pulse.Processing.Aggregation;
using Pulse.Processing.State;

namespace Pulse.Store.Postgres;

public sealed partial class PostgresStore
{
    public byte[]? LoadAnalyticsState(int partition)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using var command = new NpgsqlCommand("SELECT state FROM analytics_state WHERE partition = $1", connection);
        command.Parameters.Add(Int(partition));
        return command.ExecuteScalar() as byte[];
    }

    public UserMetricCell? TryLoadMetricCell(int partition, in UserMetricKey key, MetricAggregate aggregate)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using var command = new NpgsqlCommand(
            "SELECT count, sum, min, max, sketch FROM metric_cells WHERE metric=$1 AND res=$2 AND bucket=$3 AND partition=$4 AND g1=$5 AND g2=$6 AND g3=$7", connection);
        command.Parameters.Add(Text(key.Metric));
        command.Parameters.Add(Int((int)key.Resolution));
        command.Parameters.Add(Long(key.Bucket));
        command.Parameters.Add(Int(partition));
        command.Parameters.Add(Int(key.G1));
        command.Parameters.Add(Int(key.G2));
        command.Parameters.Add(Int(key.G3));
        using NpgsqlDataReader reader = command.ExecuteReader();
        return reader.Read() ? ReadMetricCell(reader, aggregate) : null;
    }

    public long StoredThrough(int partition)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using var command = new NpgsqlCommand("SELECT MAX(bucket) FROM metric_cells WHERE partition = $1", connection);
        command.Parameters.Add(Int(partition));
        return command.ExecuteScalar() is long bucket ? bucket + Resolution.Day.WidthMs() : long.MinValue;
    }

    public SessionCell? TryLoadSessionCell(int partition, in SessionCellKey key)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using var command = new NpgsqlCommand(
            "SELECT started, ended, bounces, duration, pages FROM session_cells WHERE res=$1 AND bucket=$2 AND partition=$3 AND country=$4 AND device=$5", connection);
        command.Parameters.Add(Int((int)key.Resolution));
        command.Parameters.Add(Long(key.Bucket));
        command.Parameters.Add(Int(partition));
        command.Parameters.Add(Int(key.Country));
        command.Parameters.Add(Int(key.Device));
        using NpgsqlDataReader reader = command.ExecuteReader();
        return reader.Read() ? ReadSessionCell(reader, 0) : null;
    }

    public long? TryLoadSessionPage(int partition, in SessionPageKey key)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using var command = new NpgsqlCommand("SELECT count FROM session_pages WHERE res=$1 AND exit=$2 AND bucket=$3 AND partition=$4 AND page=$5", connection);
        command.Parameters.Add(Int((int)key.Resolution));
        command.Parameters.Add(Int(key.Exit ? 1 : 0));
        command.Parameters.Add(Long(key.Bucket));
        command.Parameters.Add(Int(partition));
        command.Parameters.Add(Int(key.Page));
        return command.ExecuteScalar() is long count ? count : null;
    }

    public FunnelCell? TryLoadFunnelCell(int partition, in FunnelCellKey key)
    {
        using NpgsqlConnection connection = _source.OpenConnection();
        using var command = new NpgsqlCommand("SELECT sessions, users FROM funnel_cells WHERE funnel=$1 AND res=$2 AND bucket=$3 AND partition=$4 AND step=$5", connection);
        command.Parameters.Add(Text(key.Funnel));
        command.Parameters.Add(Int((int)key.Resolution));
        command.Parameters.Add(Long(key.Bucket));
        command.Parameters.Add(Int(partition));
        command.Parameters.Add(Int(key.Step));
        using NpgsqlDataReader reader = command.ExecuteReader();
        return reader.Read() ? new FunnelCell { Sessions = reader.GetInt64(0), Users = HyperLogLog.Deserialize(reader.GetFieldValue<byte[]>(1)) } : null;
    }
}
