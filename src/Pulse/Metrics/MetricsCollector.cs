using System.Diagnostics.Metrics;
using System.Text;

namespace Pulse.Metrics;

/// <summary>
/// Listens to the instruments of the meters it is told to include and keeps their values for
/// <c>GET /metrics</c>. Recorded measurements go straight into lock-free series; observable
/// instruments are read when a scrape asks (<see cref="Write"/>).
/// </summary>
public sealed class MetricsCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);

    public MetricsCollector(Func<Meter, bool> include)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!include(instrument.Meter))
            {
                return;
            }

            MetricFamily? family = Register(instrument);
            if (family is not null)
            {
                listener.EnableMeasurementEvents(instrument, family);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Listens to the meters whose name is one of <paramref name="meterNames"/>.</summary>
    public static MetricsCollector ForMeters(params string[] meterNames) =>
        new(meter => Array.IndexOf(meterNames, meter.Name) >= 0);

    /// <summary>Reads the observable instruments and writes every family in the text format.</summary>
    public void Write(StringBuilder output)
    {
        var writer = new PrometheusTextWriter(output);
        lock (_gate)
        {
            _listener.RecordObservableInstruments();
            long overflow = 0;
            foreach (MetricFamily family in _families.Values)
            {
                family.Write(writer);
                overflow += family.Overflow;
            }

            writer.WriteHeader("pulse_metrics_series_dropped_total", MetricType.Counter,
                "Measurements dropped because their metric already had the most label sets allowed (a label with unbounded values).");
            writer.WriteSample("pulse_metrics_series_dropped_total", [], overflow);
        }
    }

    public string Write()
    {
        var output = new StringBuilder(16 * 1024);
        Write(output);
        return output.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private MetricFamily? Register(Instrument instrument)
    {
        lock (_gate)
        {
            MetricFamily? created = MetricFamily.For(instrument);
            if (created is null)
            {
                return null;
            }

            // Instruments of the same name and kind (one per engine, say) feed one family.
            if (_families.TryGetValue(created.Name, out MetricFamily? existing))
            {
                return existing.Type == created.Type ? existing : null;
            }

            _families[created.Name] = created;
            return created;
        }
    }
}
