namespace Pulse.Ingest;

/// <summary>Why the event at <paramref name="Index"/> (0-based position in the body) was rejected.</summary>
public readonly record struct IngestError(int Index, string Error);
