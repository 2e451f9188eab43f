namespace Pulse.Bench;

/// <summary>How long and how often each scenario runs; <see cref="Quick"/> and <see cref="Full"/> are the two forms.</summary>
internal sealed record BenchSettings
{
    public required bool IsQuick { get; init; }

    public required int Repeat { get; init; }

    /// <summary>Measured window of the sustained and paced loads.</summary>
    public required TimeSpan Duration { get; init; }

    public required TimeSpan Warmup { get; init; }

    /// <summary>
    /// Paced load sent, but not measured, before the paced window: the latency targets are about
    /// steady ingest at the paced rate, not the seconds in which the server digests the sustained
    /// burst that ran just before (its checkpoints and collections of that state).
    /// </summary>
    public required TimeSpan PacedWarmup { get; init; }

    public required TimeSpan TokenizerDuration { get; init; }

    /// <summary>Concurrencies tried for sustained ingest; the best is used for every repeat and for the bare-Kestrel ceiling.</summary>
    public required int[] Concurrencies { get; init; }

    public TimeSpan CalibrationDuration { get; init; } = TimeSpan.FromSeconds(5);

    public int BodyPoolSize { get; init; } = 128;

    public int EventsPerBody { get; init; } = 1000;

    /// <summary>Requests per second of the paced load: 50 × 1000 events = the 50,000 events/s.</summary>
    public double PacedRequestsPerSecond { get; init; } = 50;

    public double RealtimeRequestsPerSecond { get; init; } = 150;

    public int FreshnessProbes { get; init; } = 50;

    public TimeSpan CatchUpTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public static BenchSettings Quick(int? repeat) => new()
    {
        IsQuick = true,
        Repeat = repeat ?? 1,
        Duration = TimeSpan.FromSeconds(5),
        Warmup = TimeSpan.FromSeconds(1),
        PacedWarmup = TimeSpan.FromSeconds(2),
        TokenizerDuration = TimeSpan.FromSeconds(1),
        Concurrencies = [16],
        BodyPoolSize = 64,
    };

    public static BenchSettings Full(int? repeat) => new()
    {
        IsQuick = false,
        Repeat = repeat ?? 3,
        Duration = TimeSpan.FromSeconds(20),
        Warmup = TimeSpan.FromSeconds(2),
        PacedWarmup = TimeSpan.FromSeconds(5),
        TokenizerDuration = TimeSpan.FromSeconds(3),
        Concurrencies = [4, 8, 16],
    };
}
