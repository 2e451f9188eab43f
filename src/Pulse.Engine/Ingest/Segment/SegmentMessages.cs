namespace Pulse.Ingest.Segment;

/// <summary>Rejections in Segment's own field names, shared so rejecting allocates nothing.</summary>
internal static class SegmentMessages
{
    public const string BodyNotObject = "body must be a JSON object (one Segment call)";
    public const string BatchShape = "body must be a JSON object with a 'batch' array of Segment calls";
    public const string MissingUser = "missing required field 'userId' (or 'anonymousId')";
    public const string MissingEvent = "missing required field 'event'";
    public const string MissingType = "missing required field 'type'";
    public const string UnknownType = "field 'type' must be one of 'track', 'page', 'screen', 'identify', 'group', 'alias'";
    public const string UserIdType = "field 'userId' must be a string";
    public const string AnonymousIdType = "field 'anonymousId' must be a string";
    public const string MessageIdType = "field 'messageId' must be a string";
    public const string EventType = "field 'event' must be a string";
    public const string TimestampFormat = "field 'timestamp' must be an ISO 8601 / RFC 3339 date-time string or an integer of epoch milliseconds";
    public const string OriginalTimestampFormat = "field 'originalTimestamp' must be an ISO 8601 / RFC 3339 date-time string or an integer of epoch milliseconds";
    public const string SentAtFormat = "field 'sentAt' must be an ISO 8601 / RFC 3339 date-time string or an integer of epoch milliseconds";
    public const string TraitsNotObject = "field 'traits' must be an object";
}
