using System.Diagnostics;
using System.Threading.Channels;

namespace Pulse.Generate;

/// <summary>
/// Runs <c>pulse generate</c>: produces batches on one thread (paced by <see cref="RatePacer"/>) and
/// either writes them to a stream or hands them to <see cref="GeneratorSettings.Concurrency"/> sender
/// tasks. Cancellation stops production at once, lets requests in flight finish for a moment, and
/// still returns the summary.
/// </summary>
public static class TrafficGenerator
{
    /// <summary>How long requests in flight may finish after cancellation; within System.CommandLine's 2 s grace.</summary>
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(1);

    /// <summary>Sends to <see cref="GeneratorSettings.Target"/>, or writes to <see cref="GeneratorSettings.OutputPath"/> when set.</summary>
    public static async Task<GenerateSummary> RunAsync(GeneratorSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        if (settings.Validate() is string error)
        {
            throw new ArgumentException(error, nameof(settings));
        }

        if (settings.OutputPath is null)
        {
            return await SendAsync(settings, log, cancellationToken).ConfigureAwait(false);
        }

        if (settings.OutputPath == "-")
        {
            using Stream stdout = Console.OpenStandardOutput();
            return await WriteAsync(settings, stdout, log, cancellationToken).ConfigureAwait(false);
        }

        var file = new FileStream(settings.OutputPath, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            return await WriteAsync(settings, file, log, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the NDJSON stream to <paramref name="output"/>; every written event counts in the truth.</summary>
    public static async Task<GenerateSummary> WriteAsync(GeneratorSettings settings, Stream output, TextWriter log, CancellationToken cancellationToken)
    {
        var source = new TrafficSource(settings);
        var truth = new GroundTruth(settings.Users);
        var counters = new SendCounters();
        var pacer = new RatePacer(settings.Rate);
        int batchSize = settings.EffectiveBatchSize;
        using var batch = new EventBatch(batchSize);
        var clock = Stopwatch.StartNew();
        using var progress = StartProgress(settings, log, counters, clock, sending: false);
        using CancellationTokenSource produce = ProductionWindow(settings, cancellationToken);
        bool cancelled = false;
        try
        {
            while (NextBatchSize(settings, source.Produced, clock, batchSize) is int count and > 0)
            {
                await pacer.WaitAsync(source.Produced, produce.Token).ConfigureAwait(false);
                source.Fill(batch, count);
                output.Write(batch.Buffer, 0, batch.Length);
                long written = batch.Count;
                if (batch.ResendAsDuplicate)
                {
                    output.Write(batch.Buffer, 0, batch.Length);
                    written += batch.Count;
                }

                truth.Merge(batch.Truth);
                Volatile.Write(ref counters.Sent, counters.Sent + written);
                if (cancellationToken.IsCancellationRequested)
                {
                    cancelled = true;
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (produce.IsCancellationRequested)
        {
            cancelled = cancellationToken.IsCancellationRequested;
        }

        output.Flush();
        return Summarize(counters, new LatencyRecorder(), truth, clock.Elapsed, cancelled);
    }

    private static async Task<GenerateSummary> SendAsync(GeneratorSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        var source = new TrafficSource(settings);
        var truth = new GroundTruth(settings.Users);
        var counters = new SendCounters();
        var latency = new LatencyRecorder();
        var pacer = new RatePacer(settings.Rate);
        int batchSize = settings.EffectiveBatchSize;
        int poolSize = settings.Concurrency * 2;
        // Recycled batches bound memory to a few batches per sender and keep generation allocation-free.
        var free = Channel.CreateBounded<EventBatch>(poolSize);
        var work = Channel.CreateBounded<EventBatch>(new BoundedChannelOptions(settings.Concurrency) { SingleWriter = true });
        var batches = new EventBatch[poolSize];
        for (int i = 0; i < poolSize; i++)
        {
            batches[i] = new EventBatch(batchSize);
            free.Writer.TryWrite(batches[i]);
        }

        using var abortRequests = new CancellationTokenSource();
        using CancellationTokenRegistration onCancel = cancellationToken.Register(() => abortRequests.CancelAfter(DrainGrace));
        using var sender = new EventSender(settings, counters, latency, truth, log);
        var clock = Stopwatch.StartNew();
        using var progress = StartProgress(settings, log, counters, clock, sending: true);

        var senders = new Task[settings.Concurrency];
        for (int i = 0; i < senders.Length; i++)
        {
            senders[i] = Task.Run(() => SendLoopAsync(work.Reader, free.Writer, sender, cancellationToken, abortRequests.Token), CancellationToken.None);
        }

        using CancellationTokenSource produce = ProductionWindow(settings, cancellationToken);
        try
        {
            while (NextBatchSize(settings, source.Produced, clock, batchSize) is int count and > 0)
            {
                EventBatch batch = await free.Reader.ReadAsync(produce.Token).ConfigureAwait(false);
                await pacer.WaitAsync(source.Produced, produce.Token).ConfigureAwait(false);
                source.Fill(batch, count);
                // Once filled, a batch is handed over even at the deadline: its events were generated.
                await work.Writer.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (produce.IsCancellationRequested)
        {
        }

        work.Writer.Complete();
        await Task.WhenAll(senders).ConfigureAwait(false);
        bool cancelled = cancellationToken.IsCancellationRequested;
        TimeSpan elapsed = clock.Elapsed;
        foreach (EventBatch batch in batches)
        {
            batch.Dispose();
        }

        return Summarize(counters, latency, truth, elapsed, cancelled);
    }

    private static async Task SendLoopAsync(ChannelReader<EventBatch> work, ChannelWriter<EventBatch> free, EventSender sender, CancellationToken stop, CancellationToken abortRequests)
    {
        await foreach (EventBatch batch in work.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            // After Ctrl-C, batches still queued are dropped unsent: they were never counted as sent.
            if (!stop.IsCancellationRequested)
            {
                await sender.SendAsync(batch, stop, abortRequests).ConfigureAwait(false);
            }

            free.TryWrite(batch);
        }
    }

    /// <summary>
    /// Ends production at --duration even while waiting for a free batch (senders stuck retrying
    /// against a down server), so the run length holds; batches already handed over finish their retries.
    /// </summary>
    private static CancellationTokenSource ProductionWindow(GeneratorSettings settings, CancellationToken cancellationToken)
    {
        var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (settings.Duration is TimeSpan duration)
        {
            window.CancelAfter(duration);
        }

        return window;
    }

    /// <summary>Events for the next batch: limited by --count, zero once --duration has passed.</summary>
    private static int NextBatchSize(GeneratorSettings settings, long produced, Stopwatch clock, int batchSize)
    {
        if (settings.Duration is TimeSpan duration && clock.Elapsed >= duration)
        {
            return 0;
        }

        long remaining = settings.EffectiveCount is long count ? count - produced : long.MaxValue;
        return (int)Math.Clamp(remaining, 0, batchSize);
    }

    private static GenerateSummary Summarize(SendCounters counters, LatencyRecorder latency, GroundTruth truth, TimeSpan elapsed, bool cancelled)
    {
        (double? p50, double? p99) = latency.Percentiles();
        long sent = Interlocked.Read(ref counters.Sent);
        double seconds = Math.Max(elapsed.TotalSeconds, 1e-6);
        return new GenerateSummary(
            sent,
            Interlocked.Read(ref counters.Accepted),
            Interlocked.Read(ref counters.Duplicates),
            Interlocked.Read(ref counters.Rejected),
            Interlocked.Read(ref counters.Retries),
            Interlocked.Read(ref counters.FailedBatches),
            (long)elapsed.TotalMilliseconds,
            sent / seconds,
            p50,
            p99,
            cancelled,
            truth.Snapshot());
    }

    private static ProgressReporter? StartProgress(GeneratorSettings settings, TextWriter log, SendCounters counters, Stopwatch clock, bool sending) =>
        settings.ProgressInterval is TimeSpan interval ? new ProgressReporter(log, counters, clock, interval, sending) : null;
}
