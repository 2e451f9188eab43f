using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Pulse.Tests.EndToEnd;

/// <summary>Talks to the contract's HTTP API the way an outside client would.</summary>
internal sealed class MetricsClient(HttpClient http)
{
    public HttpClient Http => http;

    public async Task<(HttpStatusCode Status, JsonElement Body)> PostNdjsonAsync(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        using HttpResponseMessage response = await http.PostAsync(new Uri("/v1/events", UriKind.Relative), content);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using HttpResponseMessage response = await http.GetAsync(new Uri(path, UriKind.Relative));
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} → {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Group label ("a|b") → total.</summary>
    public async Task<Dictionary<string, decimal>> TotalsAsync(string metric, long from, long to, string? groupBy = null, string[]? filters = null, int? limit = null)
    {
        JsonElement result = await GetJsonAsync(MetricPath(metric, from, to, null, groupBy, filters, limit));
        var totals = new Dictionary<string, decimal>();
        foreach (JsonElement series in result.GetProperty("series").EnumerateArray())
        {
            totals[Label(series.GetProperty("group"), groupBy)] = series.GetProperty("total").GetDecimal();
        }

        return totals;
    }

    /// <summary>Group label → (point ts → value).</summary>
    public async Task<Dictionary<string, Dictionary<long, decimal>>> PointsAsync(string metric, long from, long to, string step, string? groupBy = null)
    {
        JsonElement result = await GetJsonAsync(MetricPath(metric, from, to, step, groupBy, null, null));
        var all = new Dictionary<string, Dictionary<long, decimal>>();
        foreach (JsonElement series in result.GetProperty("series").EnumerateArray())
        {
            var points = new Dictionary<long, decimal>();
            foreach (JsonElement p in series.GetProperty("points").EnumerateArray())
            {
                points[p[0].GetInt64()] = p[1].GetDecimal();
            }

            all[Label(series.GetProperty("group"), groupBy)] = points;
        }

        return all;
    }

    public static string MetricPath(string metric, long from, long to, string? step, string? groupBy, string[]? filters, int? limit)
    {
        var path = new StringBuilder($"/v1/metrics/{metric}?from={from}&to={to}");
        if (step is not null)
        {
            path.Append("&step=").Append(step);
        }

        if (groupBy is not null)
        {
            path.Append("&group_by=").Append(groupBy);
        }

        foreach (string f in filters ?? [])
        {
            path.Append("&filter=").Append(Uri.EscapeDataString(f));
        }

        if (limit is not null)
        {
            path.Append("&limit=").Append(limit.Value);
        }

        return path.ToString();
    }

    private static string Label(JsonElement group, string? groupBy)
    {
        if (groupBy is null)
        {
            return "";
        }

        return string.Join('|', groupBy.Split(',').Select(d => group.GetProperty(d).ValueKind == JsonValueKind.Null ? "" : group.GetProperty(d).GetString()));
    }

    /// <summary>Waits until the engine has applied <paramref name="expected"/> events in [from, to).</summary>
    public async Task WaitForTotalAsync(long from, long to, long expected, TimeSpan timeout)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        decimal seen = -1;
        while (watch.Elapsed < timeout)
        {
            Dictionary<string, decimal> totals = await TotalsAsync("events", from, to);
            seen = totals[""];
            if (seen == expected)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"events total stayed at {seen}, expected {expected}");
    }
}
