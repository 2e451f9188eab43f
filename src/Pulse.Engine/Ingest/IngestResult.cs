namespace Pulse.Ingest;

/// <summary>What happened to the valid events of one request once they were durable.</summary>
public readonly record struct IngestResult(int Accepted, int Duplicates);
