namespace Pulse.Client;

/// <summary>
/// Settings of a <see cref="PulseClient"/>. With <c>services.AddPulseClient()</c> they bind from the
/// <c>PulseClient</c> configuration section (appsettings.json, <c>PulseClient__Endpoint</c>, ...).
/// </summary>
public sealed class PulseClientOptions
{
    /// <summary>The configuration section <c>AddPulseClient</c> binds.</summary>
    public const string SectionName = "PulseClient";

    /// <summary>The server's base address, e.g. <c>http://localhost:8080</c>; events go to <c>/v1/events</c> under it. Required.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>A write key, sent as <c>Authorization: Bearer</c>; none when the server has no keys configured.</summary>
    public string? ApiKey { get; set; }

    /// <summary>At most this many events per request (the server's default limit is far higher).</summary>
    public int MaxBatchSize { get; set; } = 500;

    /// <summary>A batch is sent at the latest this long after its first event was taken from the queue.</summary>
    public TimeSpan MaxBatchDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Events waiting to be sent, at most; this bounds the client's memory.</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>What tracking does when the queue is full.</summary>
    public QueueOverflowPolicy OverflowPolicy { get; set; } = QueueOverflowPolicy.DropNewest;

    /// <summary>Sends request bodies with <c>Content-Encoding: gzip</c>.</summary>
    public bool Compress { get; set; } = true;

    /// <summary>Tries per batch (the first send included) before the batch is given up and counted as failed.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The first retry waits up to this long; each further retry doubles the bound (full jitter).</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>No retry waits longer than this, a server's <c>Retry-After</c> included.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>One request may take this long before it is abandoned and retried.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><see cref="PulseClient.DisposeAsync"/> (and host shutdown) spends at most this long sending what is queued.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>What is wrong with these settings, one line each; empty when they are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Endpoint is null || !Endpoint.IsAbsoluteUri || (Endpoint.Scheme != Uri.UriSchemeHttp && Endpoint.Scheme != Uri.UriSchemeHttps))
        {
            problems.Add($"{SectionName}:Endpoint must be an absolute http or https address, e.g. http://localhost:8080 (got '{Endpoint}').");
        }

        Positive(problems, nameof(MaxBatchSize), MaxBatchSize);
        Positive(problems, nameof(QueueCapacity), QueueCapacity);
        Positive(problems, nameof(MaxAttempts), MaxAttempts);
        NotNegative(problems, nameof(MaxBatchDelay), MaxBatchDelay);
        NotNegative(problems, nameof(InitialBackoff), InitialBackoff);
        NotNegative(problems, nameof(MaxBackoff), MaxBackoff);
        NotNegative(problems, nameof(ShutdownTimeout), ShutdownTimeout);
        if (RequestTimeout <= TimeSpan.Zero)
        {
            problems.Add($"{SectionName}:{nameof(RequestTimeout)} must be positive (got {RequestTimeout}).");
        }

        if (!Enum.IsDefined(OverflowPolicy))
        {
            problems.Add($"{SectionName}:{nameof(OverflowPolicy)} must be DropNewest or Wait (got {OverflowPolicy}).");
        }

        return problems;
    }

    internal PulseClientOptions Copy() => (PulseClientOptions)MemberwiseClone();

    private static void Positive(List<string> problems, string name, int value)
    {
        if (value < 1)
        {
            problems.Add($"{SectionName}:{name} must be at least 1 (got {value}).");
        }
    }

    private static void NotNegative(List<string> problems, string name, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            problems.Add($"{SectionName}:{name} must not be negative (got {value}).");
        }
    }
}
