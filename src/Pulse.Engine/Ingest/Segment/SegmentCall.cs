namespace Pulse.Ingest.Segment;

/// <summary>Which Segment HTTP Tracking API endpoint a body was sent to.</summary>
public enum SegmentCall
{
    /// <summary><c>POST /v1/track</c>: one track call.</summary>
    Track,

    /// <summary><c>POST /v1/page</c>: one page call.</summary>
    Page,

    /// <summary><c>POST /v1/identify</c>: one identify call.</summary>
    Identify,

    /// <summary><c>POST /v1/batch</c>: <c>{"batch": [...]}</c>, each call naming its own <c>type</c>.</summary>
    Batch,
}

/// <summary>The kinds of Segment calls; each becomes one Pulse event.</summary>
internal enum SegmentMessageType
{
    Track,
    Page,
    Screen,
    Identify,
    Group,
    Alias,
}
