using System.Buffers;
using Pulse.Analytics.Funnels;
using Pulse.Analytics.Sessions;

namespace Pulse.Analytics;

/// <summary>A session aggregate as of a checkpoint; its sketches are in the snapshot's <see cref="AnalyticsSnapshot.Bytes"/>.</summary>
public readonly record struct SessionRow(SessionCellKey Key, long Started, long Ended, long Bounces, int DurationOffset, int DurationLength, int PagesOffset, int PagesLength);

/// <summary>A funnel step aggregate as of a checkpoint; its user sketch is in the snapshot's bytes.</summary>
public readonly record struct FunnelRow(FunnelCellKey Key, long Sessions, int UsersOffset, int UsersLength);

/// <summary>A user metric's aggregate as of a checkpoint; its sketch (HyperLogLog or DDSketch, if any) is in the snapshot's bytes.</summary>
public readonly record struct UserMetricRow(Metrics.UserMetricKey Key, long Count, double Sum, double Min, double Max, int SketchOffset, int SketchLength);

/// <summary>
/// What one partition's analytics changed since its previous full checkpoint (absolute aggregate
/// values, new pattern matches), and its whole per-user state as of the same log position. Written
/// in the partition's checkpoint transaction, so replay from that position derives every later
/// session, step and match exactly once.
/// </summary>
public sealed class AnalyticsSnapshot
{
    public List<SessionRow> Sessions { get; } = [];
    public List<(SessionPageKey Key, long Count)> Pages { get; } = [];
    public List<FunnelRow> Funnels { get; } = [];
    public List<PatternMatchRecord> Matches { get; } = [];
    public List<UserMetricRow> Metrics { get; } = [];

    /// <summary>Sketches of the rows, back to back.</summary>
    public ArrayBufferWriter<byte> Bytes { get; } = new(16 * 1024);

    /// <summary>The serialized per-user state (sessions open, funnel progress, pattern states, events waiting for the watermark).</summary>
    public ArrayBufferWriter<byte> State { get; } = new(64 * 1024);

    public ReadOnlySpan<byte> Slice(int offset, int length) => Bytes.WrittenSpan.Slice(offset, length);

    public void Clear()
    {
        Sessions.Clear();
        Pages.Clear();
        Funnels.Clear();
        Matches.Clear();
        Metrics.Clear();
        Bytes.ResetWrittenCount();
        State.ResetWrittenCount();
    }
}

/// <summary>A pattern match, ready to store, query and push.</summary>
/// <param name="Pattern">The pattern's name.</param>
/// <param name="TimeMs">When the match became certain (event time).</param>
/// <param name="FirstTimeMs">Time of the first event of the match.</param>
/// <param name="UserId">The user.</param>
/// <param name="SessionId">The session (the client's session_id, or the derived one).</param>
/// <param name="DetailsJson">Pattern-specific details as a JSON object.</param>
public sealed record PatternMatchRecord(string Pattern, long TimeMs, long FirstTimeMs, string UserId, string SessionId, string DetailsJson);
