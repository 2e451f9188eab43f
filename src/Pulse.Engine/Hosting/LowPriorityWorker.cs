using System.Runtime.ExceptionServices;

namespace Pulse.Hosting;

/// <summary>
/// A thread at a lowered priority (<see cref="ThreadPriorities"/>) that runs one action at a time
/// for a caller that waits for it. Background work is split so that only its lock-free part runs
/// at low priority: a thread that holds a lock others need must never be the one the scheduler
/// starves (a priority inversion — under overload a niced checkpointer held partition locks for
/// seconds while queries and processors queued behind it).
/// </summary>
internal sealed class LowPriorityWorker : IDisposable
{
    private readonly Thread _thread;
    private readonly SemaphoreSlim _work = new(0);
    private readonly SemaphoreSlim _done = new(0);
    private Action? _action;
    private ExceptionDispatchInfo? _failure;
    private volatile bool _stopping;

    public LowPriorityWorker(string name, int nice)
    {
        _thread = new Thread(() => Loop(nice)) { Name = name, IsBackground = true };
        _thread.Start();
    }

    /// <summary>Runs <paramref name="action"/> on the worker and returns when it has; its exception is rethrown here. One caller at a time.</summary>
    public void Invoke(Action action)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        _action = action;
        _work.Release();
        _done.Wait();
        ExceptionDispatchInfo? failure = _failure;
        _failure = null;
        failure?.Throw();
    }

    private void Loop(int nice)
    {
        ThreadPriorities.LowerCurrent(nice);
        while (true)
        {
            _work.Wait();
            if (_stopping)
            {
                return;
            }

            try
            {
                _action!();
            }
            catch (Exception ex)
            {
                _failure = ExceptionDispatchInfo.Capture(ex);
            }
            finally
            {
                _action = null;
                _done.Release();
            }
        }
    }

    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _work.Release();
        _thread.Join();
        _work.Dispose();
        _done.Dispose();
    }
}
