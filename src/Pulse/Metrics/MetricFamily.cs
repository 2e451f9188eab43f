using System.Diagnostics.Metrics;

namespace Pulse.Metrics;

/// <summary>
/// What one instrument becomes in the exposition: a named family of series. Counters get the
/// <c>_total</c> suffix; observable instruments report their current value (set), the others
/// accumulate what is recorded (add).
/// </summary>
internal abstract class MetricFamily(string name, MetricType type, string? help)
{
    public string Name { get; } = name;
    public MetricType Type { get; } = type;
    public string? Help { get; } = help;

    public abstract long Overflow { get; }

    public abstract void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    public abstract void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    public abstract void Write(PrometheusTextWriter writer);

    /// <summary>The family an instrument feeds, or null for instrument kinds Prometheus cannot show.</summary>
    public static MetricFamily? For(Instrument instrument)
    {
        string baseName = PrometheusTextWriter.SanitizeName(instrument.Name);
        string? help = instrument.Description;
        Type kind = instrument.GetType().GetGenericTypeDefinition();
        if (kind == typeof(Counter<>))
        {
            return new ScalarFamily(CounterName(baseName), MetricType.Counter, help, set: false);
        }

        if (kind == typeof(ObservableCounter<>))
        {
            return new ScalarFamily(CounterName(baseName), MetricType.Counter, help, set: true);
        }

        if (kind == typeof(UpDownCounter<>))
        {
            return new ScalarFamily(baseName, MetricType.Gauge, help, set: false);
        }

        if (kind == typeof(ObservableUpDownCounter<>) || kind == typeof(ObservableGauge<>) || kind == typeof(Gauge<>))
        {
            return new ScalarFamily(baseName, MetricType.Gauge, help, set: true);
        }

        if (kind == typeof(Histogram<>))
        {
            return new HistogramFamily(baseName, help, Bounds(instrument));
        }

        return null;
    }

    private static string CounterName(string name) => name.EndsWith("_total", StringComparison.Ordinal) ? name : name + "_total";

    private static readonly double[] DefaultBounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static double[] Bounds(Instrument instrument)
    {
        double[]? bounds = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b).ToArray(),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b).ToArray(),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b).ToArray(),
            _ => null,
        };
        if (bounds is null || bounds.Length == 0)
        {
            return DefaultBounds;
        }

        Array.Sort(bounds);
        return [.. bounds.Distinct().Where(static b => double.IsFinite(b))];
    }
}

internal sealed class ScalarFamily(string name, MetricType type, string? help, bool set) : MetricFamily(name, type, help)
{
    private readonly SeriesTable<ScalarSeries> _series = new(static _ => new ScalarSeries());

    public override long Overflow => _series.Overflow;

    public override void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        ScalarSeries? series = _series.Find(tags);
        if (series is null)
        {
            return;
        }

        if (set)
        {
            series.Set(value);
        }
        else
        {
            series.Add(value);
        }
    }

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        ScalarSeries? series = _series.Find(tags);
        if (series is null)
        {
            return;
        }

        if (set)
        {
            series.Set(value);
        }
        else
        {
            series.Add(value);
        }
    }

    public override void Write(PrometheusTextWriter writer)
    {
        writer.WriteHeader(Name, Type, Help);
        foreach ((IReadOnlyList<KeyValuePair<string, string>> labels, ScalarSeries series) in _series.All())
        {
            if (series.Integer is { } exact)
            {
                writer.WriteSample(Name, labels, exact);
            }
            else
            {
                writer.WriteSample(Name, labels, series.Value);
            }
        }
    }
}

internal sealed class HistogramFamily(string name, string? help, double[] bounds) : MetricFamily(name, MetricType.Histogram, help)
{
    private readonly SeriesTable<HistogramSeries> _series = new(_ => new HistogramSeries(bounds));
    private readonly string[] _le = [.. bounds.Select(PrometheusTextWriter.FormatValue)];

    public override long Overflow => _series.Overflow;

    public override void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => _series.Find(tags)?.Record(value);

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => _series.Find(tags)?.Record(value);

    public override void Write(PrometheusTextWriter writer)
    {
        writer.WriteHeader(Name, Type, Help);
        long[] counts = new long[bounds.Length + 1];
        foreach ((IReadOnlyList<KeyValuePair<string, string>> labels, HistogramSeries series) in _series.All())
        {
            double sum = series.Snapshot(counts);
            long cumulative = 0;
            for (int i = 0; i < bounds.Length; i++)
            {
                cumulative += counts[i];
                writer.WriteSample(Name + "_bucket", labels, "le", _le[i], cumulative);
            }

            cumulative += counts[^1];
            writer.WriteSample(Name + "_bucket", labels, "le", "+Inf", cumulative);
            writer.WriteSample(Name + "_sum", labels, sum);
            writer.WriteSample(Name + "_count", labels, cumulative);
        }
    }
}
