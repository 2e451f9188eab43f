using System.Globalization;
using System.Net;

namespace Pulse.Tests.Metrics;

/// <summary>One <c>GET /metrics</c>, parsed into sample key (<c>name{labels}</c> as written) → value.</summary>
internal sealed class Scrape
{
    private Scrape(string text, Dictionary<string, double> samples)
    {
        Text = text;
        Samples = samples;
    }

    public string Text { get; }
    public Dictionary<string, double> Samples { get; }

    /// <summary>Sample names (without labels) present in the exposition.</summary>
    public HashSet<string> Names => [.. Samples.Keys.Select(NameOf)];

    public static async Task<Scrape> TakeAsync(HttpClient http)
    {
        using HttpResponseMessage response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        string text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return Parse(text);
    }

    public static Scrape Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            int space = line.LastIndexOf(' ');
            string value = line[(space + 1)..];
            samples[line[..space]] = value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.Parse(value, CultureInfo.InvariantCulture),
            };
        }

        return new Scrape(text, samples);
    }

    /// <summary>The value of one series, e.g. <c>pulse_x_total{reason="a"}</c>; 0 when absent (a counter not yet touched).</summary>
    public double Value(string key) => Samples.TryGetValue(key, out double v) ? v : 0;

    /// <summary>The sum over every series of <paramref name="name"/>.</summary>
    public double Sum(string name) => Samples.Where(s => NameOf(s.Key) == name).Sum(s => s.Value);

    public int SeriesCount(string name) => Samples.Keys.Count(k => NameOf(k) == name);

    private static string NameOf(string key)
    {
        int brace = key.IndexOf('{', StringComparison.Ordinal);
        return brace < 0 ? key : key[..brace];
    }
}
