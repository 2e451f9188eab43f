using System.Text.Json;
using Pulse.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pulse.Hosting;

/// <summary>Writes <c>{"status": "...", "checks": {name: {"status", "description", "data"}}}</c>.</summary>
public static class HealthResponse
{
    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, JsonWriting.Options))
        {
            w.WriteStartObject();
            w.WriteString("status"u8, report.Status.ToString());
            w.WriteNumber("duration_ms"u8, Math.Round(report.TotalDuration.TotalMilliseconds, 3));
            w.WriteStartObject("checks"u8);
            foreach (KeyValuePair<string, HealthReportEntry> entry in report.Entries)
            {
                w.WriteStartObject(entry.Key);
                w.WriteString("status"u8, entry.Value.Status.ToString());
                w.WriteString("description"u8, entry.Value.Description);
                foreach (KeyValuePair<string, object> d in entry.Value.Data)
                {
                    w.WriteNumber(d.Key, Convert.ToDouble(d.Value, System.Globalization.CultureInfo.InvariantCulture));
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }
}
