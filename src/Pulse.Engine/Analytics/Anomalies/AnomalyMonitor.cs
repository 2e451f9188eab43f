using System.Buffers;
using Microsoft.Extensions.Logging;
using Pulse.Processing.Aggregation;
using Pulse.Query;
using Pulse.Store;

namespace Pulse.Analytics.Anomalies;

/// <summary>
/// Feeds the anomaly detector every final per-second and per-minute bucket of the watched series —
/// events by type, revenue, orders, late_events — zeros included, in order, once each. A bucket is
/// final when the global watermark has passed its end. Found anomalies are stored (one row per
/// bucket, metric and group, so a re-derived one replaces itself) and handed to <see cref="Found"/>;
/// the detector's state and the buckets fed through are saved together every
/// <see cref="SaveInterval"/>, and a restart resumes from there.
/// </summary>
public sealed partial class AnomalyMonitor(QueryEngine queries, Func<long> watermark, IAnomalyStore store, AnomalyOptions options, ILogger logger)
{
    private readonly WatchedSeries[] _series = [.. options.EffectiveSeries.Select(text => WatchedSeries.Parse(text, out _)!)];

    /// <summary>The watched series, as configured (<c>Pulse:Anomalies:Series</c>).</summary>
    public IReadOnlyList<WatchedSeries> Series => _series;

    /// <summary>The metrics the watched series are of (what <c>/v1/anomalies?metric=</c> takes).</summary>
    public IEnumerable<string> MetricNames => _series.Select(s => s.Metric.Name).Distinct();

    /// <summary>After a longer stop, only this much history is fed: the series warm up again rather than replay hours.</summary>
    public static readonly TimeSpan MaxCatchUp = TimeSpan.FromHours(1);

    private const int StateVersion = 2;

    // Series whose per-second rollups cannot answer them (split by a dimension other than type).
    private readonly HashSet<(int Series, Resolution Resolution)> _unanswerable = [];
    private readonly Dictionary<string, int> _groups = new(StringComparer.Ordinal);
    private readonly List<string> _groupNames = [""];
    private readonly List<StoredAnomaly> _found = [];
    private AnomalyDetector _detector = new(options);
    private long _lastSaveMs = long.MinValue;

    public TimeSpan SaveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Called with each anomaly as it is found (on the monitor's thread).</summary>
    public Action<StoredAnomaly>? Found { get; set; }

    /// <summary>End of the last per-second bucket fed (MinValue: none yet).</summary>
    public long SecondsFedMs { get; private set; } = long.MinValue;

    /// <summary>End of the last per-minute bucket fed (MinValue: none yet).</summary>
    public long MinutesFedMs { get; private set; } = long.MinValue;

    public long AnomaliesFound { get; private set; }

    /// <summary>Buckets not fed because the monitor was further behind than <see cref="MaxCatchUp"/>.</summary>
    public long SkippedBuckets { get; private set; }

    public AnomalyDetector Detector => _detector;

    /// <summary>Resumes from the saved position; a state that does not read back starts the detector afresh (it warms up again).</summary>
    public void Restore()
    {
        if (store.LoadAnomalyCheckpoint() is not { } saved)
        {
            return;
        }

        try
        {
            var r = new StateReader(saved.State);
            if (r.Int32() != StateVersion)
            {
                throw new InvalidDataException("unknown version");
            }

            // The detector's series are numbered by their place in the configured list: another list, another numbering.
            int count = r.Count(1024);
            var series = new List<string>(count);
            for (int i = 0; i < count; i++)
            {
                series.Add(System.Text.Encoding.UTF8.GetString(r.Bytes() ?? []));
            }

            if (!series.SequenceEqual(_series.Select(s => s.Text)))
            {
                throw new InvalidDataException("the watched series changed");
            }

            int groups = r.Count(1 << 20);
            for (int i = 0; i < groups; i++)
            {
                string name = System.Text.Encoding.UTF8.GetString(r.Bytes() ?? []);
                _groups[name] = _groupNames.Count;
                _groupNames.Add(name);
            }

            _detector = AnomalyDetector.Deserialize(r.Take(saved.State.Length - r.Position), options);
            SecondsFedMs = saved.SecondsFedMs;
            MinutesFedMs = saved.MinutesFedMs;
        }
        catch (InvalidDataException ex)
        {
            LogStateRefused(logger, ex.Message);
            _groups.Clear();
            _groupNames.RemoveRange(1, _groupNames.Count - 1);
            _detector = new AnomalyDetector(options);
        }
    }

    /// <summary>Feeds what became final since the last call; stores what it found. Returns the anomalies found.</summary>
    public int RunOnce(long nowMs)
    {
        long w = watermark();
        if (w == long.MinValue)
        {
            return 0;
        }

        _found.Clear();
        SecondsFedMs = Feed(Resolution.Second, SecondsFedMs, w);
        MinutesFedMs = Feed(Resolution.Minute, MinutesFedMs, w);
        bool save = _found.Count > 0 || _lastSaveMs == long.MinValue || nowMs - _lastSaveMs >= SaveInterval.TotalMilliseconds;
        if (_found.Count > 0 || save)
        {
            store.WriteAnomalies(_found, save ? Checkpoint() : null);
            _lastSaveMs = save ? nowMs : _lastSaveMs;
        }

        foreach (StoredAnomaly anomaly in _found)
        {
            Found?.Invoke(anomaly);
        }

        AnomaliesFound += _found.Count;
        return _found.Count;
    }

    /// <summary>Runs every second until cancelled, on a dedicated thread (queries and SQLite calls block).</summary>
    public void Run(TimeProvider clock, CancellationToken cancellationToken)
    {
        while (!cancellationToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(1)))
        {
            try
            {
                RunOnce(clock.GetUtcNow().ToUnixTimeMilliseconds());
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or IOException)
            {
                // The buckets stay unfed (the position did not move past them): the next second retries.
                LogFailed(logger, ex);
            }
        }

        Save();
    }

    /// <summary>Saves the detector and position now (at shutdown).</summary>
    public void Save() => store.WriteAnomalies([], Checkpoint());

    private long Feed(Resolution resolution, long fedThrough, long watermarkMs)
    {
        long width = resolution.WidthMs();
        long finalEnd = Processing.Aggregation.Resolutions.BucketStart(resolution, watermarkMs);
        long from = fedThrough == long.MinValue ? finalEnd - width : fedThrough;
        long earliest = finalEnd - (long)MaxCatchUp.TotalMilliseconds;
        if (from < earliest)
        {
            SkippedBuckets += (earliest - from) / width;
            from = earliest;
        }

        if (from >= finalEnd)
        {
            return Math.Max(fedThrough, from);
        }

        for (int m = 0; m < _series.Length; m++)
        {
            if (_unanswerable.Contains((m, resolution)))
            {
                continue;
            }

            var query = new MetricQuery
            {
                Metric = _series[m].Metric,
                From = from,
                To = finalEnd,
                StepMs = width,
                StepName = resolution.Name(),
                GroupBy = _series[m].GroupBy is { } dimension ? [dimension] : [],
                Resolution = resolution,
            };
            try
            {
                FeedSeries(m, queries.Execute(query), from, finalEnd, width);
            }
            catch (QueryException)
            {
                // Not kept at this resolution (a per-second series split by a dimension other than type): watched per minute only.
                _unanswerable.Add((m, resolution));
            }
        }

        return finalEnd;
    }

    private void FeedSeries(int metric, MetricResult result, long from, long to, long width)
    {
        // Each known series gets every bucket, zero where it had no events.
        var seen = new HashSet<int>();
        string? groupName = _series[metric].GroupName;
        foreach (MetricSeries series in result.Series)
        {
            string group = groupName is null ? "" : Group(metric, series.Group.GetValueOrDefault(groupName));
            int id = GroupId(group);
            seen.Add(id);
            foreach ((long ts, decimal value) in series.Points!)
            {
                Observe(metric, id, ts, width, (double)value);
            }
        }

        if (groupName is not null)
        {
            for (int id = 1; id < _groupNames.Count; id++)
            {
                if (!seen.Contains(id) && _groupNames[id].StartsWith(Prefix(metric), StringComparison.Ordinal))
                {
                    for (long ts = from; ts < to; ts += width)
                    {
                        Observe(metric, id, ts, width, 0);
                    }
                }
            }
        }
    }

    private void Observe(int metric, int group, long ts, long width, double value)
    {
        if (_detector.Observe(new SeriesKey(metric, group), ts, width, value, out Anomaly a))
        {
            string? groupName = _series[metric].GroupName;
            string? groupValue = groupName is null ? null : _groupNames[group][Prefix(metric).Length..];
            _found.Add(new StoredAnomaly(a.TimeMs, a.WidthMs, _series[metric].Metric.Name, groupName, groupValue, a.Value, Math.Round(a.Expected, 3), Math.Round(a.Score, 2),
                a.Severity == AnomalySeverity.Critical ? "critical" : "warning"));
        }
    }

    /// <summary>Group values are kept per series ("3:purchase"): two series may split by values that are equal as text.</summary>
    private static string Prefix(int series) => series.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":";

    private static string Group(int series, string? value) => Prefix(series) + (value ?? "");

    private int GroupId(string group)
    {
        if (group.Length == 0)
        {
            return 0;
        }

        if (!_groups.TryGetValue(group, out int id))
        {
            id = _groupNames.Count;
            _groups.Add(group, id);
            _groupNames.Add(group);
        }

        return id;
    }

    private AnomalyCheckpoint Checkpoint()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        var w = new StateWriter(buffer);
        w.Int32(StateVersion);
        w.Int32(_series.Length);
        foreach (WatchedSeries series in _series)
        {
            w.Bytes(System.Text.Encoding.UTF8.GetBytes(series.Text));
        }

        w.Int32(_groupNames.Count - 1);
        for (int i = 1; i < _groupNames.Count; i++)
        {
            w.Bytes(System.Text.Encoding.UTF8.GetBytes(_groupNames[i]));
        }

        _detector.Serialize(buffer);
        return new AnomalyCheckpoint(SecondsFedMs, MinutesFedMs, buffer.WrittenSpan.ToArray());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The saved anomaly detector state was not restored ({Reason}); the series warm up again")]
    private static partial void LogStateRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Anomaly detection failed to read or store; retrying in a second")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
