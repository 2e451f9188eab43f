using System.Runtime.InteropServices;

namespace Pulse.Hosting;

/// <summary>
/// Lowers the calling thread's scheduling priority (Linux nice, per thread). Background work such
/// as checkpoints then yields the CPU to request threads when both want it — on 2 cores that is the
/// difference between a checkpoint burst delaying acknowledgements or not — while still using all
/// idle CPU. .NET's Thread.Priority is not applied on Linux; raising nice needs no privilege.
/// </summary>
internal static partial class ThreadPriorities
{
    private const int PrioProcess = 0;

    /// <returns>False where it is not supported; the thread then keeps its priority.</returns>
    public static bool LowerCurrent(int nice)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        // With PRIO_PROCESS, Linux takes a thread id and sets that one thread's nice value.
        return SetPriority(PrioProcess, GetTid(), nice) == 0;
    }

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();
}
