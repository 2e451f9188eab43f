namespace Pulse.Analytics.Anomalies;

/// <summary>
/// The baseline of one series at one resolution, on y = √(x + 3/8): an EWMA level of clipped
/// observations, an EWMA of absolute deviations as the scale, and for per-minute series a ring of
/// the last days' y whose median at the same minute gives a seasonal forecast, shifted by an EWMA
/// of today's offset from it. Fixed memory: one float per minute of
/// <see cref="AnomalyOptions.SeasonalDays"/> days.
/// </summary>
internal sealed class SeriesBaseline
{
    public const long SecondWidthMs = 1000;
    public const long MinuteWidthMs = 60_000;
    public const int MinutesPerDay = 1440;
    public const double AnscombeOffset = 0.375;

    /// <summary>Per-second series forget a gap longer than this (an hour) and warm up again.</summary>
    public const long MaxSecondGap = 3600;

    /// <summary>Mean absolute deviation × √(π/2) is the standard deviation of a normal distribution.</summary>
    private const double MadToSigma = 1.2533141373155003;

    /// <summary>From this many days on, the median of the days rejects a one-off incident on one of them.</summary>
    private const int DaysForMedian = 3;

    private static readonly double ZeroY = Math.Sqrt(AnscombeOffset);

    public SeriesBaseline(SeriesKey key, bool perMinute, AnomalyOptions options)
    {
        Key = key;
        PerMinute = perMinute;
        if (perMinute && options.SeasonalDays > 0)
        {
            Values = new float[RingLength(options)];
        }
    }

    public SeriesKey Key { get; }

    public bool PerMinute { get; }

    public long WidthMs => PerMinute ? MinuteWidthMs : SecondWidthMs;

    /// <summary>Bucket index (start / width) of the last observation; meaningless while <see cref="Observations"/> is 0.</summary>
    public long LastIndex { get; set; }

    public long Observations { get; set; }

    /// <summary>Bucket index of the oldest observation in the seasonal ring.</summary>
    public long HistoryStart { get; set; }

    /// <summary>EWMA level, in √ units.</summary>
    public double Level { get; set; }

    /// <summary>EWMA of absolute deviations from the expected value, in √ units.</summary>
    public double Mad { get; set; }

    /// <summary>EWMA of (clipped observation − seasonal median), in √ units: how today stands against the previous days.</summary>
    public double Offset { get; set; }

    /// <summary>y of each minute (as observed, not clipped), at ring slot index mod length; null: no seasonality.</summary>
    public float[]? Values { get; }

    /// <summary>Enough for <see cref="AnomalyOptions.SeasonalDays"/> days back plus the window's reach before that minute.</summary>
    public static int RingLength(AnomalyOptions options) => (options.SeasonalDays * MinutesPerDay) + options.SeasonalWindow;

    public long MaxGap(AnomalyOptions options) => PerMinute ? (long)Math.Max(options.SeasonalDays, 1) * MinutesPerDay : MaxSecondGap;

    public static double ToY(double value) => Math.Sqrt(value + AnscombeOffset);

    public static double FromY(double y) => Math.Max(0, (y * y) - AnscombeOffset);

    /// <summary>
    /// Learns bucket <paramref name="index"/> (after <see cref="LastIndex"/>) and answers its expected
    /// value and score; false while warming up (nothing may be reported then). Missing buckets since
    /// the last one are learned as zeros first, or, past <see cref="MaxGap"/>, the series starts over.
    /// </summary>
    public bool Observe(long index, double value, AnomalyOptions options, out double expectedY, out double score)
    {
        if (Observations > 0 && index - LastIndex - 1 > MaxGap(options))
        {
            Observations = 0;
        }

        if (Observations > 0)
        {
            for (long missing = LastIndex + 1; missing < index; missing++)
            {
                Step(missing, 0, options, out _, out _);
            }
        }

        return Step(index, value, options, out expectedY, out score);
    }

    private bool Step(long index, double value, AnomalyOptions options, out double expectedY, out double score)
    {
        double y = ToY(value);
        if (Observations == 0)
        {
            Level = y;
            Mad = 0;
            Offset = 0;
            HistoryStart = index;
            Record(index, y);
            Observations = 1;
            LastIndex = index;
            expectedY = y;
            score = 0;
            return false;
        }

        double expected = Level;
        double sigma = Sigma(expected, options);
        double z = (y - expected) / sigma;
        int days = AvailableDays(index, options);
        double seasonalMedian = 0;
        if (days > 0)
        {
            seasonalMedian = SeasonalMedian(index, days, options.SeasonalWindow);
            double seasonal = Math.Max(ZeroY, seasonalMedian + Offset);
            double seasonalSigma = Sigma(seasonal, options);
            double seasonalZ = (y - seasonal) / seasonalSigma;

            // With one or two days the median cannot tell a one-off incident from a daily pattern,
            // so a point counts as explained when either forecast explains it.
            if (days >= DaysForMedian || Math.Abs(seasonalZ) < Math.Abs(z))
            {
                expected = seasonal;
                sigma = seasonalSigma;
                z = seasonalZ;
            }
        }

        bool warm = Observations >= options.WarmupObservations;
        double learned;
        double levelAlpha;
        double scaleAlpha;
        if (warm)
        {
            learned = Math.Clamp(y, expected - (options.ClipScore * sigma), expected + (options.ClipScore * sigma));
            levelAlpha = options.LevelAlpha;
            scaleAlpha = options.ScaleAlpha;
        }
        else
        {
            // A running mean at first, so the first buckets (often partial) do not linger.
            learned = y;
            levelAlpha = Math.Max(options.LevelAlpha, 1.0 / (Observations + 1));
            scaleAlpha = Math.Max(options.ScaleAlpha, 1.0 / Observations);
        }

        Level += levelAlpha * (learned - Level);
        Mad += scaleAlpha * (Math.Abs(learned - expected) - Mad);
        if (days > 0)
        {
            Offset += options.LevelAlpha * (learned - seasonalMedian - Offset);
        }
        Record(index, y);
        Observations++;
        LastIndex = index;
        expectedY = expected;
        score = z;
        return warm;
    }

    private double Sigma(double expectedY, AnomalyOptions options) =>
        Math.Max(Math.Max(MadToSigma * Mad, options.MinScale), options.RelativeScaleFloor * expectedY);

    private void Record(long index, double y)
    {
        if (Values is not null)
        {
            // Clamped so an absurd value cannot become an infinity the checkpoint would reject.
            Values[Slot(index, Values.Length)] = (float)Math.Min(y, float.MaxValue);
        }
    }

    private static int Slot(long index, int length)
    {
        long slot = index % length;
        return (int)(slot < 0 ? slot + length : slot);
    }

    private int AvailableDays(long index, AnomalyOptions options)
    {
        if (Values is null)
        {
            return 0;
        }

        long reach = index - HistoryStart - options.SeasonalWindow;
        return reach < 0 ? 0 : (int)Math.Min(options.SeasonalDays, reach / MinutesPerDay);
    }

    /// <summary>
    /// The median over the available days of the median y in the window around this minute that day.
    /// The window's median follows a ramp or a step exactly and ignores a blip shorter than half of it.
    /// </summary>
    private double SeasonalMedian(long index, int days, int window)
    {
        float[] values = Values!;
        Span<double> medians = stackalloc double[AnomalyOptions.MaxSeasonalDays];
        Span<double> around = stackalloc double[(2 * AnomalyOptions.MaxSeasonalWindow) + 1];
        around = around[..((2 * window) + 1)];
        for (int day = 1; day <= days; day++)
        {
            long sameMinute = index - ((long)day * MinutesPerDay);
            for (int k = -window; k <= window; k++)
            {
                around[k + window] = values[Slot(sameMinute + k, values.Length)];
            }

            medians[day - 1] = Median(around);
        }

        return Median(medians[..days]);
    }

    private static double Median(Span<double> values)
    {
        values.Sort();
        int middle = values.Length / 2;
        return values.Length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
