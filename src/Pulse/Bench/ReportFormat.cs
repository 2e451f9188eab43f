using System.Globalization;

namespace Pulse.Bench;

/// <summary>Numbers as the table shows them: thousands grouped, small values with two decimals.</summary>
internal static class ReportFormat
{
    public static string Number(double value) =>
        double.IsNaN(value) ? "n/a"
        : Math.Abs(value) >= 1000 ? value.ToString("N0", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 100 ? value.ToString("F0", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 10 ? value.ToString("F1", CultureInfo.InvariantCulture)
        : value.ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>JSON numbers: rounded to 3 decimals, NaN written as null by the caller.</summary>
    public static double Round(double value) => Math.Round(value, 3);
}
