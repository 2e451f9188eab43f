using System.Net;
using System.Text.Json;

namespace Pulse.Bench;

/// <summary>The <c>pipeline</c> object of <c>/v1/realtime</c>: the engine's own view of lag and freshness.</summary>
internal readonly record struct PipelineStatus(long LagEvents, double FreshnessP99Ms, double IngestPerSecond)
{
    public static async Task<PipelineStatus?> ReadAsync(IngestClient client, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[64 * 1024];
        (HttpStatusCode status, int length) = await client.GetAsync("/v1/realtime", buffer, cancellationToken).ConfigureAwait(false);
        return status == HttpStatusCode.OK ? Parse(buffer.AsSpan(0, length)) : null;
    }

    internal static PipelineStatus? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json.ToArray());
            if (!document.RootElement.TryGetProperty("pipeline", out JsonElement pipeline))
            {
                return null;
            }

            return new PipelineStatus(
                pipeline.GetProperty("lag_events").GetInt64(),
                pipeline.GetProperty("freshness_p99_ms").GetDouble(),
                pipeline.GetProperty("ingest_per_second").GetDouble());
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
