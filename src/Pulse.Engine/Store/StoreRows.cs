using System.Data.Common;
using Pulse.Analytics;
using Pulse.Log;

namespace Pulse.Store;

/// <summary>Rows both stores read back the same way: one column list, one mapping, whatever the provider.</summary>
internal static class StoreRows
{
    public const string CheckpointColumns = "next_offset, segment, position, max_event_time, events_processed, updated_ms, seconds_offset";

    public const string MatchColumns = "ts, first_ts, user_id, session_id, details";

    /// <summary>A row of <see cref="CheckpointColumns"/>.</summary>
    public static StoredCheckpoint Checkpoint(DbDataReader reader) =>
        new(new LogPosition(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)),
            reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), Math.Max(reader.GetInt64(0), reader.GetInt64(6)));

    /// <summary>A row of <see cref="MatchColumns"/>.</summary>
    public static PatternMatchRecord Match(string pattern, DbDataReader reader) =>
        new(pattern, reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetString(4));
}
