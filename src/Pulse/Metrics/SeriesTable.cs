using System.Globalization;

namespace Pulse.Metrics;

/// <summary>
/// The series of one metric family by label set. Lookups scan an immutable array (no lock, no
/// allocation); a new label set copies it under a lock. The number of series is capped so a bug
/// that puts an unbounded value in a label cannot exhaust memory: past the cap measurements are
/// dropped and counted.
/// </summary>
internal sealed class SeriesTable<TSeries>(Func<IReadOnlyList<KeyValuePair<string, string>>, TSeries> create)
    where TSeries : class
{
    public const int MaxSeries = 2000;

    private readonly Lock _gate = new();
    private volatile Entry[] _entries = [];
    private long _overflow;

    public long Overflow => Interlocked.Read(ref _overflow);

    public IEnumerable<(IReadOnlyList<KeyValuePair<string, string>> Labels, TSeries Series)> All()
    {
        var seen = new HashSet<TSeries>(ReferenceEqualityComparer.Instance);
        foreach (Entry entry in _entries)
        {
            if (seen.Add(entry.Series))
            {
                yield return (entry.Labels, entry.Series);
            }
        }
    }

    public TSeries? Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        Entry[] entries = _entries;
        foreach (Entry entry in entries)
        {
            if (Matches(entry.Tags, tags))
            {
                return entry.Series;
            }
        }

        return Add(tags);
    }

    private TSeries? Add(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_gate)
        {
            foreach (Entry entry in _entries)
            {
                if (Matches(entry.Tags, tags))
                {
                    return entry.Series;
                }
            }

            if (_entries.Length >= MaxSeries)
            {
                Interlocked.Increment(ref _overflow);
                return null;
            }

            KeyValuePair<string, string>[] labels = Canonical(tags);
            // The same labels in another order are the same series: alias it rather than export a duplicate.
            TSeries? series = null;
            foreach (Entry entry in _entries)
            {
                if (entry.Labels.SequenceEqual(labels))
                {
                    series = entry.Series;
                    break;
                }
            }

            series ??= create(labels);
            _entries = [.. _entries, new Entry(tags.ToArray(), labels, series)];
            return series;
        }
    }

    private static bool Matches(KeyValuePair<string, object?>[] known, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (known.Length != tags.Length)
        {
            return false;
        }

        for (int i = 0; i < known.Length; i++)
        {
            if (!string.Equals(known[i].Key, tags[i].Key, StringComparison.Ordinal) || !Equals(known[i].Value, tags[i].Value))
            {
                return false;
            }
        }

        return true;
    }

    private static KeyValuePair<string, string>[] Canonical(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new KeyValuePair<string, string>[tags.Length];
        for (int i = 0; i < tags.Length; i++)
        {
            string value = tags[i].Value switch
            {
                null => "",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                object o => o.ToString() ?? "",
            };
            labels[i] = new(PrometheusTextWriter.SanitizeName(tags[i].Key), value);
        }

        Array.Sort(labels, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return labels;
    }

    private sealed record Entry(KeyValuePair<string, object?>[] Tags, KeyValuePair<string, string>[] Labels, TSeries Series);
}
