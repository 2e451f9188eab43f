using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using Pulse.Live;

namespace Pulse.Metrics;

/// <summary>Process, GC and thread-pool figures, and the live feed's clients, read at scrape time.</summary>
public sealed class RuntimeMetrics : IDisposable
{
    public const string MeterName = "Pulse.Runtime";

    private static readonly KeyValuePair<string, object?>[] Generations = [new("generation", "0"), new("generation", "1"), new("generation", "2")];

    private readonly Meter _meter = new(MeterName);

    public RuntimeMetrics(LiveBroadcaster live)
    {
        Meter m = _meter;
        string version = typeof(RuntimeMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        m.CreateObservableGauge("pulse_build_info", () => new Measurement<long>(1, new KeyValuePair<string, object?>("version", version),
            new KeyValuePair<string, object?>("runtime", Environment.Version.ToString())), null, "Always 1; the labels name the build and the .NET runtime.");
        long started = new DateTimeOffset(Process.GetCurrentProcess().StartTime).ToUnixTimeMilliseconds();
        m.CreateObservableGauge("pulse_process_start_time_seconds", () => started / 1000.0, "s", "Start time of the process since the Unix epoch.");
        m.CreateObservableCounter("pulse_process_cpu_seconds", static () => Environment.CpuUsage.TotalTime.TotalSeconds, "s", "CPU time used by the process (user and kernel).");
        m.CreateObservableGauge("pulse_process_working_set_bytes", static () => Environment.WorkingSet, "By", "Physical memory mapped to the process.");
        m.CreateObservableGauge("pulse_process_gc_heap_bytes", static () => GC.GetGCMemoryInfo().HeapSizeBytes, "By", "Size of the managed heap after the last collection, fragmentation included.");
        m.CreateObservableGauge("pulse_process_gc_committed_bytes", static () => GC.GetGCMemoryInfo().TotalCommittedBytes, "By", "Memory the GC has committed.");
        m.CreateObservableCounter("pulse_process_gc_allocated_bytes", static () => GC.GetTotalAllocatedBytes(), "By", "Bytes allocated on the managed heap since the start.");
        m.CreateObservableCounter("pulse_process_gc_collections", static () => new[]
        {
            new Measurement<long>(GC.CollectionCount(0), Generations[0]),
            new Measurement<long>(GC.CollectionCount(1), Generations[1]),
            new Measurement<long>(GC.CollectionCount(2), Generations[2]),
        }, null, "Garbage collections by generation (a gen-2 collection counts in 0 and 1 too).");
        m.CreateObservableCounter("pulse_process_gc_pause_seconds", static () => GC.GetTotalPauseDuration().TotalSeconds, "s", "Time the GC paused the process.");
        m.CreateObservableGauge("pulse_process_threadpool_threads", static () => ThreadPool.ThreadCount, null, "Thread-pool threads.");
        m.CreateObservableGauge("pulse_process_threadpool_queue_length", static () => ThreadPool.PendingWorkItemCount, null, "Work items waiting for a thread-pool thread.");
        m.CreateObservableCounter("pulse_process_threadpool_completed_items", static () => ThreadPool.CompletedWorkItemCount, null, "Work items the thread pool has run.");
        m.CreateObservableCounter("pulse_process_lock_contentions", static () => Monitor.LockContentionCount, null, "Times a thread waited for a contended lock.");

        m.CreateObservableGauge("pulse_live_clients", () => live.Subscribers, null, "WebSocket clients subscribed to /v1/live.");
        m.CreateObservableCounter("pulse_live_messages_skipped", () => live.Skipped, null,
            "Snapshot messages a client missed because it was still receiving the previous one (slow clients are skipped ahead, never buffered).");
    }

    public void Dispose() => _meter.Dispose();
}
