using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Pulse.Bench;

/// <summary>
/// End-to-end freshness: POST one event with a product id never used before, then query
/// <c>/v1/metrics/events</c> filtered by it until its total is 1. The time from the POST to the first
/// answer that shows it is what a dashboard user waits.
/// </summary>
internal static class FreshnessProbe
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(15);

    public static async Task<FreshnessResult> RunAsync(IngestClient client, int probes, TimeSpan duration, CancellationToken cancellationToken)
    {
        var samples = new LatencySamples(probes);
        byte[] response = new byte[16 * 1024];
        string run = Guid.NewGuid().ToString("N")[..12];
        int timeouts = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < probes && clock.Elapsed < duration; i++)
        {
            string product = $"probe-{run}-{i}";
            long nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            byte[] body = Encoding.UTF8.GetBytes(
                $"{{\"event_id\":\"{product}\",\"type\":\"page_view\",\"user_id\":\"bench-probe\",\"page\":\"/product/{product}\",\"product_id\":\"{product}\",\"timestamp\":{nowMs}}}");
            string query = QueryFor(product, nowMs);
            long sent = Stopwatch.GetTimestamp();
            (_, HttpStatusCode status) = await client.PostAsync(body, "application/json", response, cancellationToken).ConfigureAwait(false);
            if (status != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"The freshness probe's POST answered {(int)status}: {Encoding.UTF8.GetString(response).TrimEnd('\0')}");
            }

            bool seen = false;
            while (Stopwatch.GetElapsedTime(sent) < ProbeTimeout)
            {
                (HttpStatusCode queryStatus, int length) = await client.GetAsync(query, response, cancellationToken).ConfigureAwait(false);
                if (queryStatus != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"The freshness query {query} answered {(int)queryStatus}: {Encoding.UTF8.GetString(response, 0, length)}");
                }

                if (Total(response.AsSpan(0, length)) >= 1)
                {
                    samples.RecordSince(sent);
                    seen = true;
                    break;
                }

                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
            }

            if (!seen)
            {
                timeouts++;
            }
        }

        return new FreshnessResult(samples.Sorted(), timeouts);
    }

    /// <summary>Hour-aligned bounds around the event, so the query can use minute rollups, which keep product_id.</summary>
    internal static string QueryFor(string product, long eventMs)
    {
        const long hour = 3_600_000;
        long from = (eventMs / hour * hour) - hour;
        long to = from + (3 * hour);
        return string.Create(CultureInfo.InvariantCulture, $"/v1/metrics/events?filter=product_id:{Uri.EscapeDataString(product)}&from={from}&to={to}");
    }

    /// <summary>The first series' total, 0 when there is no series.</summary>
    internal static double Total(ReadOnlySpan<byte> json)
    {
        using JsonDocument document = JsonDocument.Parse(json.ToArray());
        if (!document.RootElement.TryGetProperty("series", out JsonElement series) || series.GetArrayLength() == 0)
        {
            return 0;
        }

        return series[0].GetProperty("total").GetDouble();
    }
}
