namespace Pulse.Ingest;

/// <summary>How a request body frames its events.</summary>
public enum BodyFormat
{
    /// <summary>One JSON object, or a JSON array of objects. A syntax error anywhere voids the whole body.</summary>
    Json,

    /// <summary>One JSON object per non-blank line; each line stands or falls on its own.</summary>
    Ndjson,
}
