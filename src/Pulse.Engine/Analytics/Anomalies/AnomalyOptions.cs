using System.ComponentModel.DataAnnotations;

namespace Pulse.Analytics.Anomalies;

/// <summary>
/// Configuration <c>Pulse:Anomalies</c> of the <see cref="AnomalyDetector"/>. The model works on
/// y = √(x + 3/8) (Anscombe), where Poisson counts have a standard deviation of about ½ whatever
/// their rate, so <see cref="MinScale"/> and <see cref="RelativeScaleFloor"/> are in those units.
/// docs/analytics.md ("Anomaly detection") gives the formulas.
/// </summary>
public sealed class AnomalyOptions : IValidatableObject
{
    public const string SectionName = "Pulse:Anomalies";
    public const int MaxSeasonalDays = 7;
    public const int MaxSeasonalWindow = 15;

    /// <summary>|score| at or above which a bucket is a Warning anomaly.</summary>
    [Range(1.0, 1000.0)]
    public double WarningScore { get; set; } = 4;

    /// <summary>|score| at or above which a bucket is a Critical anomaly.</summary>
    [Range(1.0, 1000.0)]
    public double CriticalScore { get; set; } = 6;

    /// <summary>Observations of a series (per resolution) that only train its baseline before any anomaly may be reported.</summary>
    [Range(2, 100_000)]
    public int WarmupObservations { get; set; } = 60;

    /// <summary>A per-second bucket whose value and expected value are both below this never fires.</summary>
    [Range(0.0, double.MaxValue)]
    public double MinVolumePerSecond { get; set; } = 10;

    /// <summary>A per-minute bucket whose value and expected value are both below this never fires.</summary>
    [Range(0.0, double.MaxValue)]
    public double MinVolumePerMinute { get; set; } = 30;

    /// <summary>EWMA weight of a new (clipped) observation in the level: about 1/α buckets of memory.</summary>
    [Range(0.001, 1.0)]
    public double LevelAlpha { get; set; } = 0.1;

    /// <summary>EWMA weight of a new (clipped) absolute deviation in the scale.</summary>
    [Range(0.001, 1.0)]
    public double ScaleAlpha { get; set; } = 0.02;

    /// <summary>The baseline learns an observation clipped to expected ± this many scales, so an anomaly does not poison it.</summary>
    [Range(0.5, 100.0)]
    public double ClipScore { get; set; } = 3;

    /// <summary>Floor of the scale in √ units: ½ is the standard deviation of √ of a Poisson count.</summary>
    [Range(0.01, 100.0)]
    public double MinScale { get; set; } = 0.5;

    /// <summary>
    /// Floor of the scale relative to the expected √ value: with 0.065 a ×1.6 step (√1.6 − 1 ≈ 0.265)
    /// scores at most about 4, so only large relative changes of busy series are Critical.
    /// </summary>
    [Range(0.0, 1.0)]
    public double RelativeScaleFloor { get; set; } = 0.065;

    /// <summary>Days of per-minute history for the daily seasonality (0 turns it off).</summary>
    [Range(0, MaxSeasonalDays)]
    public int SeasonalDays { get; set; } = 3;

    /// <summary>Half-width, in minutes, of the median window around the same minute of a previous day.</summary>
    [Range(0, MaxSeasonalWindow)]
    public int SeasonalWindow { get; set; } = 2;

    /// <summary>Most series (key and resolution) tracked; observations of further series are ignored and counted.</summary>
    [Range(1, 1_000_000)]
    public int MaxSeries { get; set; } = 1024;

    /// <summary>
    /// The series watched, each a built-in event metric optionally split by one of its dimensions
    /// (<c>metric[:dimension]</c>). Per-second rollups keep only the <c>type</c> breakdown, so a series
    /// split by another dimension is watched per minute only. Unset: <see cref="WatchedSeries.Defaults"/>
    /// (no default array here: configuration binding appends to an array's defaults rather than replacing them).
    /// </summary>
    public string[]? Series { get; set; }

    /// <summary>The configured series, or the defaults.</summary>
    public IReadOnlyList<string> EffectiveSeries => Series is { Length: > 0 } ? Series : WatchedSeries.Defaults;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!(CriticalScore > WarningScore))
        {
            yield return new ValidationResult("Pulse:Anomalies:CriticalScore must be above WarningScore.",
                [nameof(CriticalScore), nameof(WarningScore)]);
        }

        if (!(ClipScore <= WarningScore))
        {
            yield return new ValidationResult("Pulse:Anomalies:ClipScore must not be above WarningScore (an anomaly would be learned as normal).",
                [nameof(ClipScore), nameof(WarningScore)]);
        }

        foreach (string series in EffectiveSeries)
        {
            if (WatchedSeries.Parse(series, out string? error) is null)
            {
                yield return new ValidationResult(error, [nameof(Series)]);
            }
        }

        if (!double.IsFinite(MinVolumePerSecond) || !double.IsFinite(MinVolumePerMinute))
        {
            yield return new ValidationResult("Pulse:Anomalies:MinVolumePerSecond and MinVolumePerMinute must be finite.",
                [nameof(MinVolumePerSecond), nameof(MinVolumePerMinute)]);
        }
    }

    internal AnomalyOptions Clone() => (AnomalyOptions)MemberwiseClone();

    /// <summary>Throws <see cref="ArgumentException"/> listing every violated rule (attributes and <see cref="Validate"/>).</summary>
    public void ThrowIfInvalid()
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true))
        {
            throw new ArgumentException(string.Join(" ", results.Select(r => r.ErrorMessage)), "options");
        }
    }
}
