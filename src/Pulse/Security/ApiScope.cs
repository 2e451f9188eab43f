namespace Pulse.Security;

/// <summary>What a key may do. An admin key holds every scope.</summary>
[Flags]
public enum ApiScope
{
    None = 0,

    /// <summary>Send events: POST /v1/events (and the Segment endpoints).</summary>
    Write = 1,

    /// <summary>Query and subscribe: GET /v1/metrics*, /v1/realtime, WS /v1/live, analytics GETs.</summary>
    Read = 2,

    /// <summary>Change definitions: /v1/definitions*.</summary>
    Admin = 4,
}
