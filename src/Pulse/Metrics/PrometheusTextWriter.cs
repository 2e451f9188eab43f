using System.Globalization;
using System.Text;

namespace Pulse.Metrics;

/// <summary>
/// Writes the Prometheus text exposition format 0.0.4: <c># HELP</c> / <c># TYPE</c> lines and
/// samples, with the format's escaping (HELP: backslash and newline; label values: backslash,
/// double quote and newline) and its spelling of special values (<c>NaN</c>, <c>+Inf</c>, <c>-Inf</c>).
/// </summary>
public sealed class PrometheusTextWriter(StringBuilder output)
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public void WriteHeader(string name, MetricType type, string? help)
    {
        if (!string.IsNullOrEmpty(help))
        {
            output.Append("# HELP ").Append(name).Append(' ');
            AppendEscaped(output, help, escapeQuote: false);
            output.Append('\n');
        }

        output.Append("# TYPE ").Append(name).Append(' ').Append(TypeName(type)).Append('\n');
    }

    public void WriteSample(string name, IReadOnlyList<KeyValuePair<string, string>> labels, double value) =>
        WriteSample(name, labels, null, null, FormatValue(value));

    public void WriteSample(string name, IReadOnlyList<KeyValuePair<string, string>> labels, long value) =>
        WriteSample(name, labels, null, null, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>A sample with one more label after <paramref name="labels"/> (a histogram's <c>le</c>).</summary>
    public void WriteSample(string name, IReadOnlyList<KeyValuePair<string, string>> labels, string? extraName, string? extraValue, double value) =>
        WriteSample(name, labels, extraName, extraValue, FormatValue(value));

    private void WriteSample(string name, IReadOnlyList<KeyValuePair<string, string>> labels, string? extraName, string? extraValue, string value)
    {
        output.Append(name);
        if (labels.Count > 0 || extraName is not null)
        {
            output.Append('{');
            bool first = true;
            foreach (KeyValuePair<string, string> label in labels)
            {
                AppendLabel(ref first, label.Key, label.Value);
            }

            if (extraName is not null)
            {
                AppendLabel(ref first, extraName, extraValue ?? "");
            }

            output.Append('}');
        }

        output.Append(' ').Append(value).Append('\n');
    }

    /// <summary>A value as the format spells it: integers without a fraction, shortest round-trip otherwise.</summary>
    public static string FormatValue(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "-Inf";
        }

        // Whole numbers below 2^53 are exact in a double: print them as integers (counters read better).
        if (value == Math.Floor(value) && Math.Abs(value) < 9_007_199_254_740_992d)
        {
            return ((long)value).ToString(CultureInfo.InvariantCulture);
        }

        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>Replaces characters a metric or label name may not contain with '_'.</summary>
    public static string SanitizeName(string name)
    {
        var sb = new StringBuilder(name.Length);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' or ':' || (i > 0 && c is >= '0' and <= '9');
            sb.Append(ok ? c : '_');
        }

        return sb.ToString();
    }

    public static string TypeName(MetricType type) => type switch
    {
        MetricType.Counter => "counter",
        MetricType.Gauge => "gauge",
        MetricType.Histogram => "histogram",
        _ => "untyped",
    };

    private void AppendLabel(ref bool first, string name, string value)
    {
        if (!first)
        {
            output.Append(',');
        }

        first = false;
        output.Append(name).Append("=\"");
        AppendEscaped(output, value, escapeQuote: true);
        output.Append('"');
    }

    private static void AppendEscaped(StringBuilder sb, string text, bool escapeQuote)
    {
        foreach (char c in text)
        {
            switch (c)
            {
                case '\\':
                    sb.Append(@"\\");
                    break;
                case '\n':
                    sb.Append(@"\n");
                    break;
                case '"' when escapeQuote:
                    sb.Append("\\\"");
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }
    }
}

public enum MetricType
{
    Counter,
    Gauge,
    Histogram,
}
