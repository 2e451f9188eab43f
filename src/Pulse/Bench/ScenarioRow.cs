namespace Pulse.Bench;

/// <summary>
/// One line of the report: a figure measured once per repeat, its target (when the issue sets one)
/// and the ceiling measured in the same run. Pass/fail is judged on the median.
/// </summary>
internal sealed class ScenarioRow
{
    private readonly List<double> _runs = [];
    private readonly List<double> _ceilingRuns = [];

    public ScenarioRow(string name, string unit, double? target = null, bool higherIsBetter = true, string? ceilingName = null)
    {
        Name = name;
        Unit = unit;
        Target = target;
        HigherIsBetter = higherIsBetter;
        CeilingName = ceilingName;
    }

    public string Name { get; }

    public string Unit { get; }

    public double? Target { get; }

    public bool HigherIsBetter { get; }

    public string? CeilingName { get; }

    public IReadOnlyList<double> Runs => _runs;

    public double Min => _runs.Count == 0 ? double.NaN : _runs.Min();

    public double Max => _runs.Count == 0 ? double.NaN : _runs.Max();

    public double Median => Percentiles.Median(_runs.ToArray());

    /// <summary>The median of the ceiling's runs, or null when the row has none.</summary>
    public double? Ceiling => _ceilingRuns.Count == 0 ? null : Percentiles.Median(_ceilingRuns.ToArray());

    /// <summary>Null without a target; a NaN median (nothing measured) fails.</summary>
    public bool? Pass => Target is not double target ? null
        : !double.IsNaN(Median) && (HigherIsBetter ? Median >= target : Median <= target);

    public string TargetText => Target is not double target ? "" : (HigherIsBetter ? "≥ " : "≤ ") + ReportFormat.Number(target);

    public void Add(double value) => _runs.Add(value);

    public void AddCeiling(double value) => _ceilingRuns.Add(value);
}
