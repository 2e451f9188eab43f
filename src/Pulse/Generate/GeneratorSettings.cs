namespace Pulse.Generate;

/// <summary>Everything <c>pulse generate</c> takes; the command line maps onto it one to one.</summary>
public sealed class GeneratorSettings
{
    /// <summary>Event-time rate when no <see cref="Rate"/> is given: times still advance, deterministically.</summary>
    public const double DefaultEventTimeRate = 10_000;

    public const long DefaultCount = 100_000;

    public Uri Target { get; set; } = new("http://localhost:8080");

    /// <summary>NDJSON output file instead of sending; <c>-</c> is stdout.</summary>
    public string? OutputPath { get; set; }

    /// <summary>Events per second, paced per batch; null is as fast as possible.</summary>
    public double? Rate { get; set; }

    /// <summary>Event-time events per second; null follows <see cref="Rate"/>, else <see cref="DefaultEventTimeRate"/>.</summary>
    public double? TimeRate { get; set; }

    public TimeSpan? Duration { get; set; }

    /// <summary>Events to generate; when neither this nor <see cref="Duration"/> is set, <see cref="DefaultCount"/>.</summary>
    public long? Count { get; set; }

    public int Users { get; set; } = 10_000;

    public long Seed { get; set; } = 42;

    public string? Key { get; set; }

    public int BatchSize { get; set; } = 1000;

    public int Concurrency { get; set; } = 4;

    /// <summary>Event time of the first event (epoch ms); null is now. With it the output does not depend on the clock.</summary>
    public long? StartMs { get; set; }

    public double LateShare { get; set; } = 0.01;

    public int DisorderMs { get; set; } = 2000;

    public int Products { get; set; } = 1000;

    public double DuplicateShare { get; set; }

    /// <summary>Most retries of one batch after 429/503/connection errors before it counts as failed.</summary>
    public int MaxRetries { get; set; } = 20;

    /// <summary>Progress lines on the log every this often; null turns them off.</summary>
    public TimeSpan? ProgressInterval { get; set; } = TimeSpan.FromSeconds(2);

    internal double EventTimeRate => TimeRate ?? Rate ?? DefaultEventTimeRate;

    internal long? EffectiveCount => Count ?? (Duration is null ? DefaultCount : null);

    /// <summary>
    /// Events per batch. A low rate shrinks batches to about a twentieth of a second of traffic, so
    /// events are not held back for seconds just to fill a large batch.
    /// </summary>
    internal int EffectiveBatchSize => Rate is double rate ? (int)Math.Clamp(rate / 20, 1, BatchSize) : BatchSize;

    /// <summary>A message for the first invalid setting, or null when all are usable.</summary>
    public string? Validate()
    {
        if (Rate is <= 0 || double.IsNaN(Rate ?? 0))
        {
            return "--rate must be a positive number of events per second.";
        }

        if (TimeRate is <= 0)
        {
            return "--time-rate must be a positive number of events per second.";
        }

        if (Count is < 0)
        {
            return "--count must not be negative.";
        }

        if (Duration is { } d && d <= TimeSpan.Zero)
        {
            return "--duration must be positive, e.g. 30s, 5m, 1h or 500ms.";
        }

        if (Users < 1)
        {
            return "--users must be at least 1.";
        }

        if (Products < 1)
        {
            return "--products must be at least 1.";
        }

        if (BatchSize < 1)
        {
            return "--batch must be at least 1.";
        }

        if (Concurrency is < 1 or > 1024)
        {
            return "--concurrency must be between 1 and 1024.";
        }

        if (LateShare is < 0 or > 1 || double.IsNaN(LateShare))
        {
            return "--late-share must be a fraction between 0 and 1.";
        }

        if (DuplicateShare is < 0 or > 1 || double.IsNaN(DuplicateShare))
        {
            return "--duplicate-share must be a fraction between 0 and 1.";
        }

        if (DisorderMs < 0)
        {
            return "--disorder-ms must not be negative.";
        }

        if (MaxRetries < 0)
        {
            return "retries must not be negative.";
        }

        return null;
    }
}
