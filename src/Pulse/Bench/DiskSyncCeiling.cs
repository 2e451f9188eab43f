using System.Diagnostics;
using Microsoft.Win32.SafeHandles;
using Pulse.Log.Internal;

namespace Pulse.Bench;

/// <summary>
/// The durability floor of the ack: what the disk alone gives to the paced load's write pattern.
/// One thread per log partition appends its share of each paced request to its own file and
/// flushes it (fdatasync), at the paced rate, with the same calls the log's flushers make. No server runs
/// meanwhile, so an ack tail above this one is the engine's, and a tail this high is the disk's.
/// </summary>
internal static class DiskSyncCeiling
{
    /// <summary>Sorted write+fsync latencies (ms) of every append over about <paramref name="duration"/>.</summary>
    public static double[] Measure(int files, int bytesPerWrite, double writesPerSecond, TimeSpan duration)
    {
        string directory = Path.Combine(Path.GetTempPath(), "pulse-bench-fsync-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var samples = new List<double>[files];
            var workers = new Thread[files];
            for (int f = 0; f < files; f++)
            {
                int index = f;
                samples[index] = [];
                workers[index] = new Thread(() => Loop(Path.Combine(directory, $"{index}.log"), bytesPerWrite, writesPerSecond, duration, samples[index]))
                {
                    IsBackground = true,
                    Name = "bench-fsync-" + index,
                };
                workers[index].Start();
            }

            foreach (Thread worker in workers)
            {
                worker.Join();
            }

            double[] all = [.. samples.SelectMany(s => s)];
            Array.Sort(all);
            return all;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void Loop(string path, int bytesPerWrite, double writesPerSecond, TimeSpan duration, List<double> samples)
    {
        byte[] data = new byte[bytesPerWrite];
        new Random(bytesPerWrite).NextBytes(data);
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite);
        long position = 0;
        long start = Stopwatch.GetTimestamp();
        for (int k = 0; ; k++)
        {
            TimeSpan due = TimeSpan.FromSeconds(k / writesPerSecond);
            if (due >= duration)
            {
                return;
            }

            TimeSpan wait = due - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                Thread.Sleep(wait);
            }

            long began = Stopwatch.GetTimestamp();
            RandomAccess.Write(handle, data, position);
            FileSync.Data(handle);
            samples.Add(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
            position += data.Length;
        }
    }
}
