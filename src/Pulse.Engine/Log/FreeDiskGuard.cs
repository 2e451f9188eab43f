namespace Pulse.Log;

/// <summary>
/// Whether the disk holding the log has more free space than a floor. Free space is read at most
/// once a second (one statvfs), so asking per request costs a clock read; between readings the
/// log can grow by at most a second of ingest, which the floor is sized to absorb.
/// </summary>
public sealed class FreeDiskGuard
{
    private readonly string _directory;
    private readonly TimeProvider _clock;
    private long _freeBytes;
    private long _nextReadTimestamp;

    public FreeDiskGuard(string directory, long minFreeBytes, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentOutOfRangeException.ThrowIfNegative(minFreeBytes);
        _directory = Path.GetFullPath(directory);
        _clock = clock;
        MinFreeBytes = minFreeBytes;
        // Read once up front: a caller that loses the race to refresh uses the last reading, never an unset one.
        _freeBytes = minFreeBytes == 0 ? 0 : new DriveInfo(_directory).AvailableFreeSpace;
        _nextReadTimestamp = clock.GetTimestamp() + RefreshInterval(clock);
    }

    public long MinFreeBytes { get; }

    /// <summary>Free bytes at the last reading.</summary>
    public long FreeBytes => Volatile.Read(ref _freeBytes);

    /// <summary>True while free space is at or above the floor (always, when the floor is 0).</summary>
    public bool HasRoom()
    {
        if (MinFreeBytes == 0)
        {
            return true;
        }

        long now = _clock.GetTimestamp();
        long due = Volatile.Read(ref _nextReadTimestamp);
        if (now >= due && Interlocked.CompareExchange(ref _nextReadTimestamp, now + RefreshInterval(_clock), due) == due)
        {
            Volatile.Write(ref _freeBytes, new DriveInfo(_directory).AvailableFreeSpace);
        }

        return Volatile.Read(ref _freeBytes) >= MinFreeBytes;
    }

    /// <summary>One second in the clock's timestamp units.</summary>
    private static long RefreshInterval(TimeProvider clock) => clock.TimestampFrequency;
}
