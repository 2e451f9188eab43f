using System.Diagnostics;
using Pulse.Hosting;

namespace Pulse.Log;

/// <summary>
/// Reads every retained record of every partition after start and then every
/// <see cref="LogOptions.ScrubInterval"/>, checking each CRC. Damage below the last checkpoint is
/// read by nothing else (processing resumes after it), so without this a flipped bit there would
/// stay unknown until a replay needed the record. What it finds is counted and reported like damage
/// met by replay (<see cref="PartitionLog.LostRanges"/>, <c>pulse_log_records_lost_total</c>,
/// readiness). Throttled to <see cref="LogOptions.ScrubBytesPerSecond"/> so it never competes
/// with the request path for the disk.
/// </summary>
public sealed class LogScrubber(PartitionedLog log, LogOptions options)
{
    private long _passes;
    private long _bytes;

    /// <summary>Complete passes over every partition since start.</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>Record bytes read and checked since start.</summary>
    public long BytesScrubbed => Interlocked.Read(ref _bytes);

    /// <summary>Scrubs until cancelled, on a dedicated thread; returns at once when scrubbing is off.</summary>
    public void Run(CancellationToken cancellationToken)
    {
        if (options.ScrubInterval <= TimeSpan.Zero)
        {
            return;
        }

        ThreadPriorities.LowerCurrent(10);
        do
        {
            for (int p = 0; p < log.Count && !cancellationToken.IsCancellationRequested; p++)
            {
                Scrub(log[p], cancellationToken);
            }

            if (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _passes);
            }
        }
        while (!cancellationToken.WaitHandle.WaitOne(options.ScrubInterval));
    }

    /// <summary>Reads one partition from its first retained record to the durable end it had when the pass began.</summary>
    public void Scrub(PartitionLog partition, CancellationToken cancellationToken)
    {
        long until = partition.DurableEnd.Offset;
        long started = Stopwatch.GetTimestamp();
        long bytes = 0;
        using LogReader reader = partition.OpenReader(partition.StartPosition);
        using var batch = new LogRecordBatch();
        while (!cancellationToken.IsCancellationRequested && reader.Position.Offset < until)
        {
            int n = reader.Read(batch, 4096);
            if (n == 0)
            {
                break;
            }

            long read = 0;
            for (int i = 0; i < n; i++)
            {
                read += batch.GetPayload(i).Length + Internal.LogRecordFormat.HeaderSize;
            }

            bytes += read;
            Interlocked.Add(ref _bytes, read);
            // Sleep off whatever is ahead of the budget.
            double ahead = ((double)bytes / options.ScrubBytesPerSecond) - Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (ahead > 0.001 && cancellationToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(Math.Min(ahead, 1))))
            {
                return;
            }
        }
    }
}
