using Pulse.Hosting;

namespace Pulse.Tests.Processing;

public sealed class LowPriorityWorkerTests
{
    [Fact]
    public void Runs_each_action_on_its_own_lowered_thread_and_rethrows_what_it_throws()
    {
        using var worker = new LowPriorityWorker("test-writer", 10);
        int callerThread = Environment.CurrentManagedThreadId;
        int ranOn = -1;
        string? name = null;
        worker.Invoke(() =>
        {
            ranOn = Environment.CurrentManagedThreadId;
            name = Thread.CurrentThread.Name;
        });
        Assert.NotEqual(callerThread, ranOn);
        Assert.Equal("test-writer", name);
        if (OperatingSystem.IsLinux())
        {
            // The worker's nice value, from its own /proc entry (field 19 of stat).
            int tid = 0;
            worker.Invoke(() => tid = GetTid());
            string stat = File.ReadAllText($"/proc/self/task/{tid}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            Assert.Equal("10", fields[16]);
        }

        var failure = Assert.Throws<InvalidOperationException>(() => worker.Invoke(() => throw new InvalidOperationException("disk gone")));
        Assert.Equal("disk gone", failure.Message);
        // A failure leaves the worker usable.
        bool ran = false;
        worker.Invoke(() => ran = true);
        Assert.True(ran);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetTid();
}
