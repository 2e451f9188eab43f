using System.Diagnostics;

namespace Pulse.Generate;

/// <summary>
/// Releases batches at the target rate (a token bucket refilled by elapsed time, spent per batch).
/// After a stall longer than a second it forgets the backlog instead of bursting to catch up.
/// </summary>
internal sealed class RatePacer
{
    private static readonly TimeSpan MaxBacklog = TimeSpan.FromSeconds(1);

    private readonly double? _eventsPerSecond;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _baselineSeconds;
    private long _baselineEvents;

    public RatePacer(double? eventsPerSecond) => _eventsPerSecond = eventsPerSecond;

    /// <summary>Waits until <paramref name="eventsReleased"/> events may have been released by now.</summary>
    public async ValueTask WaitAsync(long eventsReleased, CancellationToken cancellationToken)
    {
        if (_eventsPerSecond is not double rate)
        {
            return;
        }

        double due = _baselineSeconds + ((eventsReleased - _baselineEvents) / rate);
        double now = _clock.Elapsed.TotalSeconds;
        if (now - due > MaxBacklog.TotalSeconds)
        {
            _baselineSeconds = now;
            _baselineEvents = eventsReleased;
            return;
        }

        if (due > now)
        {
            await Task.Delay(TimeSpan.FromSeconds(due - now), cancellationToken).ConfigureAwait(false);
        }
    }
}
