using System.Text;
using Pulse.Hosting;
using Pulse.Ingest;

namespace Pulse.Tests.Processing;

/// <summary>Builds encoded events the way ingest does: JSON through the real parser.</summary>
internal static class TestEvents
{
    public static EventBatch Parse(long arrivalMs, params string[] jsonEvents)
    {
        var batch = new EventBatch();
        var limits = IngestLimits.FromOptions(new IngestOptions { MaxPastAge = TimeSpan.FromDays(36500) });
        EventParser.Parse(Encoding.UTF8.GetBytes(string.Join('\n', jsonEvents)), BodyFormat.Ndjson, arrivalMs, limits, batch);
        Assert.True(batch.Errors.Count == 0, string.Join("; ", batch.Errors));
        return batch;
    }

    public static string Event(string type, long ts, string user, string? page = null, string? product = null, string? country = null, decimal? revenue = null, string? id = null)
    {
        var sb = new StringBuilder($"{{\"type\":\"{type}\",\"timestamp\":{ts},\"user_id\":\"{user}\"");
        if (page is not null)
        {
            sb.Append($",\"page\":\"{page}\"");
        }

        if (product is not null)
        {
            sb.Append($",\"product_id\":\"{product}\"");
        }

        if (country is not null)
        {
            sb.Append($",\"country\":\"{country}\"");
        }

        if (revenue is not null)
        {
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $",\"revenue\":{revenue}");
        }

        sb.Append($",\"event_id\":\"{id ?? Guid.NewGuid().ToString("N")}\"}}");
        return sb.ToString();
    }
}
