namespace Pulse.Analytics.Anomalies;

/// <summary>
/// Finds anomalies in per-second and per-minute series of final bucket values: each bucket is scored
/// against its series' adaptive baseline (<see cref="SeriesBaseline"/>) and reported when
/// |score| ≥ <see cref="AnomalyOptions.WarningScore"/>, after the warm-up and above the minimum volume.
/// Deterministic (no clock, no randomness: the same observations give the same anomalies, also across
/// <see cref="Serialize"/> / <see cref="Deserialize"/>). Not thread-safe: one owner.
/// </summary>
public sealed partial class AnomalyDetector
{
    private readonly AnomalyOptions _options;
    private readonly Dictionary<StateKey, SeriesBaseline> _byKey = [];

    /// <summary>Creation order, which is the serialized order, so a restored detector is the same detector.</summary>
    private readonly List<SeriesBaseline> _series = [];

    /// <summary>Distinct series refused for the cap, remembered up to <see cref="AnomalyOptions.MaxSeries"/> of them.</summary>
    private readonly HashSet<StateKey> _ignored = [];

    /// <summary>Validates and copies <paramref name="options"/>: changing them later has no effect.</summary>
    public AnomalyDetector(AnomalyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _options = options.Clone();
    }

    /// <summary>Series (key and resolution) with a baseline.</summary>
    public int SeriesCount => _series.Count;

    /// <summary>Distinct series refused because <see cref="AnomalyOptions.MaxSeries"/> were tracked (counted up to MaxSeries).</summary>
    public int IgnoredSeries => _ignored.Count;

    /// <summary>Observations of refused series.</summary>
    public long IgnoredObservations { get; private set; }

    /// <summary>Observations ignored because their bucket was not after the series' last one (a replay, or a caller bug).</summary>
    public long StaleObservations { get; private set; }

    /// <summary>
    /// Learns the final value of one bucket of one series and answers whether it is an anomaly.
    /// Feed each bucket once, in increasing time per series, zero buckets included: a bucket skipped is
    /// learned as a zero but never reported (so a drop is only reported if its zero buckets are fed), and
    /// after a gap longer than the seasonal history (<see cref="AnomalyOptions.SeasonalDays"/> days, at
    /// least one; per-minute) or an hour (per-second) the series warms up again.
    /// A bucket at or before the series' last one is ignored (<see cref="StaleObservations"/>).
    /// </summary>
    /// <param name="key">The series.</param>
    /// <param name="bucketStartMs">Start of the bucket, epoch milliseconds, a multiple of <paramref name="bucketWidthMs"/>.</param>
    /// <param name="bucketWidthMs">1000 (per-second) or 60000 (per-minute); each is a separate series with its own baseline.</param>
    /// <param name="value">The bucket's value: finite and not negative.</param>
    /// <param name="anomaly">The anomaly when the answer is true.</param>
    public bool Observe(SeriesKey key, long bucketStartMs, long bucketWidthMs, double value, out Anomaly anomaly)
    {
        anomaly = default;
        bool perMinute = bucketWidthMs switch
        {
            SeriesBaseline.MinuteWidthMs => true,
            SeriesBaseline.SecondWidthMs => false,
            _ => throw new ArgumentOutOfRangeException(nameof(bucketWidthMs), bucketWidthMs, "Anomalies are detected on 1000 ms and 60000 ms buckets."),
        };
        if (bucketStartMs < 0 || bucketStartMs % bucketWidthMs != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bucketStartMs), bucketStartMs, $"A bucket start is a non-negative multiple of its width {bucketWidthMs}.");
        }

        if (!(value >= 0) || double.IsPositiveInfinity(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Series values must be finite and non-negative.");
        }

        SeriesBaseline? series = Find(new StateKey(key, perMinute));
        if (series is null)
        {
            IgnoredObservations++;
            return false;
        }

        long index = bucketStartMs / bucketWidthMs;
        if (series.Observations > 0 && index <= series.LastIndex)
        {
            StaleObservations++;
            return false;
        }

        if (!series.Observe(index, value, _options, out double expectedY, out double score))
        {
            return false;
        }

        double magnitude = Math.Abs(score);
        double expected = SeriesBaseline.FromY(expectedY);
        double minVolume = perMinute ? _options.MinVolumePerMinute : _options.MinVolumePerSecond;
        if (magnitude < _options.WarningScore || (value < minVolume && expected < minVolume))
        {
            return false;
        }

        AnomalySeverity severity = magnitude >= _options.CriticalScore ? AnomalySeverity.Critical : AnomalySeverity.Warning;
        anomaly = new Anomaly(bucketStartMs, bucketWidthMs, key, value, expected, score, severity);
        return true;
    }

    private SeriesBaseline? Find(StateKey key)
    {
        if (_byKey.TryGetValue(key, out SeriesBaseline? series))
        {
            return series;
        }

        if (_series.Count >= _options.MaxSeries)
        {
            if (_ignored.Count < _options.MaxSeries)
            {
                _ignored.Add(key);
            }

            return null;
        }

        series = new SeriesBaseline(key.Series, key.PerMinute, _options);
        Add(series);
        return series;
    }

    private void Add(SeriesBaseline series)
    {
        _byKey.Add(new StateKey(series.Key, series.PerMinute), series);
        _series.Add(series);
    }

    private readonly record struct StateKey(SeriesKey Series, bool PerMinute);
}
