using System.Diagnostics;
using System.Globalization;

namespace Pulse.Generate;

/// <summary>Prints one progress line to the log at a fixed interval until disposed.</summary>
internal sealed class ProgressReporter : IDisposable
{
    private readonly Timer _timer;
    private readonly TextWriter _log;
    private readonly SendCounters _counters;
    private readonly Stopwatch _clock;
    private readonly bool _sending;
    private long _lastSent;
    private double _lastSeconds;

    public ProgressReporter(TextWriter log, SendCounters counters, Stopwatch clock, TimeSpan interval, bool sending)
    {
        _log = log;
        _counters = counters;
        _clock = clock;
        _sending = sending;
        _timer = new Timer(_ => Report(), null, interval, interval);
    }

    private void Report()
    {
        long sent = Volatile.Read(ref _counters.Sent);
        double seconds = _clock.Elapsed.TotalSeconds;
        double rate = (sent - _lastSent) / Math.Max(seconds - _lastSeconds, 1e-6);
        _lastSent = sent;
        _lastSeconds = seconds;
        string line = _sending
            ? string.Format(CultureInfo.InvariantCulture, "generate: {0:N0} sent, {1:N0} accepted, {2:N0} retries, {3:N0} failed batches, {4:N0} events/s",
                sent, Volatile.Read(ref _counters.Accepted), Volatile.Read(ref _counters.Retries), Volatile.Read(ref _counters.FailedBatches), rate)
            : string.Format(CultureInfo.InvariantCulture, "generate: {0:N0} written, {1:N0} events/s", sent, rate);
        lock (_log)
        {
            _log.WriteLine(line);
        }
    }

    public void Dispose() => _timer.Dispose();
}
