namespace Pulse.Log;

/// <summary>
/// The offsets assigned to one append. <see cref="Durable"/> completes once they are fsynced and
/// faults when the write failed, in which case the records are not part of the log.
/// </summary>
public readonly record struct AppendTicket(long FirstOffset, long LastOffset, Task Durable);
