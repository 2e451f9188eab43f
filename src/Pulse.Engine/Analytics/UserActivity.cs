namespace Pulse.Analytics;

/// <summary>
/// The live analytics state of one user in one partition: the open session, funnel progress in it,
/// and the pattern states. Created on the user's first event, dropped once the session has ended
/// and nothing can still match.
/// </summary>
public sealed class UserActivity(ulong userHash, byte[] userId)
{
    public ulong UserHash { get; } = userHash;

    /// <summary>The effective user id (UTF-8), for matches.</summary>
    public byte[] UserId { get; } = userId;

    /// <summary>Events of this user waiting in the release queue for the watermark.</summary>
    public int Pending { get; set; }

    /// <summary>When the next timer of this user is due in event time (long.MinValue: none queued).</summary>
    public long TimerMs { get; set; } = long.MinValue;

    public bool HasSession { get; set; }
    public long SessionStartMs { get; set; }
    public long LastEventMs { get; set; }

    /// <summary>The bucket time the session was counted at (its first released event): it is attributed there when it ends.</summary>
    public long CountedAtMs { get; set; }
    public int PageViews { get; set; }
    public int EntryPage { get; set; }
    public long EntryPageMs { get; set; }
    public int ExitPage { get; set; }
    public long ExitPageMs { get; set; }
    public int Country { get; set; }
    public int Device { get; set; }

    /// <summary>Hash of the client's session_id (0: none given, the session is derived from activity).</summary>
    public ulong SessionIdHash { get; set; }

    /// <summary>The client's session_id bytes when one was given.</summary>
    public byte[]? SessionId { get; set; }

    /// <summary>End (last event time) of the user's previous session: an event this far back is late for sessions.</summary>
    public long LastEndedMs { get; set; } = long.MinValue;

    /// <summary>Whether the previous session ended by inactivity (rather than a session_end, session_start or new session_id).</summary>
    public bool LastEndedByGap { get; set; }

    /// <summary>Per funnel: steps reached in the open session, and when its first step was.</summary>
    public FunnelProgress[] Funnels { get; set; } = [];

    /// <summary>Per pattern: its matcher's state for this user (null until the pattern first sees an event).</summary>
    public object?[] Patterns { get; set; } = [];

    /// <summary>Session ids the client sent whose events still wait for release (rarely more than one).</summary>
    public List<(ulong Hash, byte[] Bytes)>? SeenSessionIds { get; set; }

    /// <summary>A derived session's id: the user's sessions are told apart by their start.</summary>
    public static string DerivedSessionId(long startMs) => "s" + startMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>How far the open session went through one funnel.</summary>
public struct FunnelProgress
{
    public int Reached;
    public long FirstStepMs;
}
