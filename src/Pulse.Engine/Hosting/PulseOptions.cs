using System.ComponentModel.DataAnnotations;

namespace Pulse.Hosting;

/// <summary>
/// All engine settings, bound from the <c>Pulse</c> configuration section
/// (appsettings.json, <c>Pulse__Section__Name</c> environment variables, command line).
/// </summary>
public sealed class PulseOptions
{
    public const string SectionName = "Pulse";

    /// <summary>Directory for the log and the store.</summary>
    [Required]
    public string DataDirectory { get; set; } = "./data";

    public IngestOptions Ingest { get; set; } = new();
    public LogOptions Log { get; set; } = new();
    public DedupeOptions Dedupe { get; set; } = new();
    public ProcessingOptions Processing { get; set; } = new();
    public StoreOptions Store { get; set; } = new();
    public HealthOptions Health { get; set; } = new();
    public Pulse.Analytics.AnalyticsOptions Analytics { get; set; } = new();
    public Pulse.Analytics.Anomalies.AnomalyOptions Anomalies { get; set; } = new();
}

public sealed class IngestOptions
{
    /// <summary>Largest request body accepted, after decompression too (413 beyond).</summary>
    [Range(1024, int.MaxValue)]
    public int MaxBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Largest number of events in one request.</summary>
    [Range(1, 1_000_000)]
    public int MaxEventsPerRequest { get; set; } = 10_000;

    /// <summary>Deepest JSON nesting accepted inside one event (the event object itself is depth 1).</summary>
    [Range(2, 64)]
    public int MaxDepth { get; set; } = 8;

    /// <summary>Most entries in an event's <c>properties</c> object.</summary>
    [Range(0, 1024)]
    public int MaxProperties { get; set; } = 64;

    /// <summary>Events further than this in the future (event time minus arrival) are rejected.</summary>
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Events older than this (arrival minus event time) are rejected as absurd.</summary>
    public TimeSpan MaxPastAge { get; set; } = TimeSpan.FromDays(3650);

    /// <summary>
    /// Requests parsed and appended at the same time (admission control); 0 means one per
    /// processor. Parsing is CPU-bound, so more at once only lengthens the thread pool's queue,
    /// and with it the latency of every query and health check. The wait for the group commit
    /// does not count.
    /// </summary>
    [Range(0, 4096)]
    public int MaxConcurrentBatches { get; set; }

    /// <summary>Requests that may wait for admission; beyond, a request is shed at once with 503 and Retry-After.</summary>
    [Range(0, 1_000_000)]
    public int MaxQueuedBatches { get; set; } = 256;

    /// <summary>Longest wait for admission before a request is shed with 503 and Retry-After.</summary>
    public TimeSpan MaxQueueWait { get; set; } = TimeSpan.FromSeconds(2);
}

public sealed class LogOptions
{
    /// <summary>Number of log partitions (0 means two per core). Fixed once data exists.</summary>
    [Range(0, 256)]
    public int Partitions { get; set; }

    /// <summary>A segment file is rolled when it reaches this size.</summary>
    [Range(64 * 1024, long.MaxValue)]
    public long SegmentBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>fsync before acknowledging. Off only for experiments: acknowledged then no longer means durable.</summary>
    public bool Fsync { get; set; } = true;

    /// <summary>Segments older than this (and already checkpointed) are deleted.</summary>
    public TimeSpan RetentionAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>When the log of one partition is larger than this, its oldest checkpointed segments are deleted.</summary>
    [Range(1024 * 1024, long.MaxValue)]
    public long RetentionBytesPerPartition { get; set; } = 20L * 1024 * 1024 * 1024;

    /// <summary>Bytes appended but not yet written to disk, per partition, before writers wait (backpressure).</summary>
    [Range(64 * 1024, int.MaxValue)]
    public int MaxPendingBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>How long an append may wait for room before the request gets a 503.</summary>
    public TimeSpan AppendTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Appends are refused (503) while the data disk has less free space than this, so a full disk
    /// stops ingestion cleanly instead of failing writes midway. 0 turns the check off. The default
    /// leaves room for a few segments, the store's checkpoints and its WAL.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MinFreeDiskBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>
    /// Every retained record is read back and its CRC checked after start and then this often, so
    /// damage below the last checkpoint (which nothing else reads) is found and reported. 0 turns it off.
    /// </summary>
    public TimeSpan ScrubInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The scrubber's read budget, in record bytes per second.</summary>
    [Range(1024 * 1024, long.MaxValue)]
    public long ScrubBytesPerSecond { get; set; } = 32L * 1024 * 1024;
}

public sealed class DedupeOptions
{
    /// <summary>How long an event_id is remembered (by arrival time).</summary>
    public TimeSpan Horizon { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Most event ids remembered across all partitions (about 20 bytes each); when reached the
    /// oldest go first and the effective horizon (reported in /health/ready) shrinks.
    /// </summary>
    [Range(1024, int.MaxValue)]
    public int MaxEntries { get; set; } = 10_000_000;
}

public sealed class ProcessingOptions : IValidatableObject
{
    /// <summary>Watermark = max event time seen − allowed lateness.</summary>
    public TimeSpan AllowedLateness { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A partition that received nothing for this long does not hold the global watermark back.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Interval between checkpoints (state and offsets, one transaction).</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Interval between checkpoints that include the minute, hour and day rollups; the others
    /// carry the 1-second buckets only. Longer means fewer store writes, and a longer replay after
    /// a crash (at most this much of the log).
    /// </summary>
    public TimeSpan RollupCheckpointInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long 1-second buckets stay in memory after they end.</summary>
    public TimeSpan ResidentSeconds { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long 1-minute buckets stay in memory after they end.</summary>
    public TimeSpan ResidentMinutes { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long 1-hour buckets stay in memory after they end.</summary>
    public TimeSpan ResidentHours { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How long 1-day buckets stay in memory after they end.</summary>
    public TimeSpan ResidentDays { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The resident spans indexed by resolution (second, minute, hour, day).</summary>
    public TimeSpan[] ResidentSpans() => [ResidentSeconds, ResidentMinutes, ResidentHours, ResidentDays];

    /// <summary>
    /// Most events a processor applies per batch. A batch is applied under the partition's lock,
    /// which queries and checkpoints also take, so this bounds how long they can wait (≈ 1–2 ms).
    /// </summary>
    [Range(1, 1_000_000)]
    public int BatchSize { get; set; } = 512;

    /// <summary>
    /// Linux nice value of the processor threads (0 = same as requests). Above 0 lets request
    /// threads take the CPU first when both want it, so acknowledgements do not queue behind
    /// aggregation; but under overload the checkpointer (nice 10) then holds a partition's lock for
    /// long stretches of starved time and the processors behind it nearly stop (docs/performance.md,
    /// session 7), so the default stays 0 until the processor takes its own checkpoint snapshot.
    /// </summary>
    [Range(0, 19)]
    public int ProcessorNice { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CheckpointInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Pulse:Processing:CheckpointInterval must be positive.", [nameof(CheckpointInterval)]);
        }

        if (RollupCheckpointInterval < CheckpointInterval)
        {
            yield return new ValidationResult("Pulse:Processing:RollupCheckpointInterval must be at least CheckpointInterval.",
                [nameof(RollupCheckpointInterval), nameof(CheckpointInterval)]);
        }

        if (AllowedLateness < TimeSpan.Zero || IdleTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Pulse:Processing:AllowedLateness must not be negative and IdleTimeout must be positive.",
                [nameof(AllowedLateness), nameof(IdleTimeout)]);
        }
    }
}

public sealed class StoreOptions : IValidatableObject
{
    /// <summary>Which store holds rollups and checkpoints: the embedded SQLite file (default) or PostgreSQL.</summary>
    public Pulse.Store.StoreKind Kind { get; set; } = Pulse.Store.StoreKind.Sqlite;

    /// <summary>The Npgsql connection string when <see cref="Kind"/> is Postgres (<c>--postgres</c>).</summary>
    public string? Postgres { get; set; }

    public TimeSpan RetentionSeconds { get; set; } = TimeSpan.FromHours(6);
    public TimeSpan RetentionMinutes { get; set; } = TimeSpan.FromDays(30);
    public TimeSpan RetentionHours { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Zero keeps daily rollups forever.</summary>
    public TimeSpan RetentionDays { get; set; } = TimeSpan.Zero;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Kind == Pulse.Store.StoreKind.Postgres && string.IsNullOrWhiteSpace(Postgres))
        {
            yield return new ValidationResult(
                "Pulse:Store:Kind is Postgres but no connection string is set: give --postgres CONNSTRING or Pulse:Store:Postgres.", [nameof(Postgres)]);
        }
    }
}

/// <summary>
/// Thresholds of <c>/health/ready</c>. Degraded still serves (status 200) but says the node is
/// behind or short of room; Unhealthy answers 503 so a load balancer stops sending traffic.
/// </summary>
public sealed class HealthOptions : IValidatableObject
{
    /// <summary>Free bytes on the data disk below which the log check is Degraded.</summary>
    [Range(0, long.MaxValue)]
    public long DiskFreeDegradedBytes { get; set; } = 1L << 30;

    /// <summary>Free bytes on the data disk below which the log check is Unhealthy (appends would soon fail).</summary>
    [Range(0, long.MaxValue)]
    public long DiskFreeUnhealthyBytes { get; set; } = 100L << 20;

    /// <summary>Processing lag, in events summed over partitions, at or above which processing is Degraded.</summary>
    [Range(0, long.MaxValue)]
    public long LagDegradedEvents { get; set; } = 5_000_000;

    /// <summary>Processing lag in time (the oldest unapplied event, any partition) at or above which processing is Degraded.</summary>
    public TimeSpan LagDegradedAge { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Processing lag in time at or above which processing is Unhealthy. Unset (the default): lag alone
    /// never takes a node out of service — its queries are stale, but its ingest still works.
    /// </summary>
    public TimeSpan? LagUnhealthyAge { get; set; }

    /// <summary>Time since the last successful checkpoint at or above which the checkpoint check is Degraded.</summary>
    public TimeSpan CheckpointDegradedAge { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time since the last successful checkpoint at or above which the checkpoint check is Unhealthy (a restart would replay that much).</summary>
    public TimeSpan CheckpointUnhealthyAge { get; set; } = TimeSpan.FromSeconds(60);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DiskFreeUnhealthyBytes > DiskFreeDegradedBytes)
        {
            yield return new ValidationResult("Pulse:Health:DiskFreeUnhealthyBytes must not be above DiskFreeDegradedBytes.",
                [nameof(DiskFreeUnhealthyBytes), nameof(DiskFreeDegradedBytes)]);
        }

        if (LagDegradedAge < TimeSpan.Zero || LagUnhealthyAge < TimeSpan.Zero || CheckpointDegradedAge < TimeSpan.Zero || CheckpointUnhealthyAge < TimeSpan.Zero)
        {
            yield return new ValidationResult("Pulse:Health ages must not be negative.");
        }

        if (LagUnhealthyAge < LagDegradedAge)
        {
            yield return new ValidationResult("Pulse:Health:LagUnhealthyAge must be unset (off) or at least LagDegradedAge.",
                [nameof(LagUnhealthyAge), nameof(LagDegradedAge)]);
        }

        if (CheckpointUnhealthyAge < CheckpointDegradedAge)
        {
            yield return new ValidationResult("Pulse:Health:CheckpointUnhealthyAge must be at least CheckpointDegradedAge.",
                [nameof(CheckpointUnhealthyAge), nameof(CheckpointDegradedAge)]);
        }
    }
}
