namespace Pulse.Client.Internal;

/// <summary>
/// Flushes waiting for the count of settled events (sent, rejected, failed or dropped) to reach
/// their target. Events are settled in queue order, and a flush's target counts every event
/// whose tracking began before it, so reaching it means all of those are settled.
/// </summary>
internal sealed class FlushWaiters
{
    private readonly List<(long Target, TaskCompletionSource Done)> _waiting = [];
    private long _settled;

    public long Settled
    {
        get
        {
            lock (_waiting)
            {
                return _settled;
            }
        }
    }

    public Task WaitFor(long target)
    {
        lock (_waiting)
        {
            if (_settled >= target)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Add((target, done));
            return done.Task;
        }
    }

    /// <summary>Called once per batch, or per dropped event: a short lock, no allocation.</summary>
    public void Settle(long events)
    {
        lock (_waiting)
        {
            _settled += events;
            for (int i = _waiting.Count - 1; i >= 0; i--)
            {
                if (_waiting[i].Target <= _settled)
                {
                    _waiting[i].Done.TrySetResult();
                    _waiting.RemoveAt(i);
                }
            }
        }
    }
}
