using System.Globalization;
using System.Text.Json;

namespace Pulse.Tests.EndToEnd;

/// <summary>One generated event as the test reads it, independently of the engine's parser.</summary>
internal sealed record TruthEvent(string Id, string Type, long Ts, string User, string? Page, string? Product, string? Country, string? Device, decimal Revenue, string Line)
{
    public static TruthEvent Parse(string line)
    {
        using JsonDocument doc = JsonDocument.Parse(line);
        JsonElement e = doc.RootElement;
        string type = e.GetProperty("type").GetString()!;
        JsonElement ts = e.GetProperty("timestamp");
        long time = ts.ValueKind == JsonValueKind.Number
            ? ts.GetInt64()
            : DateTimeOffset.Parse(ts.GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        string user = Str(e, "user_id") ?? Str(e, "anonymous_id")!;
        decimal revenue = 0;
        if (type == "purchase")
        {
            if (e.TryGetProperty("revenue", out JsonElement r) && r.ValueKind == JsonValueKind.Number)
            {
                revenue = r.GetDecimal();
            }
            else if (e.TryGetProperty("price", out JsonElement p) && p.ValueKind == JsonValueKind.Number)
            {
                long q = e.TryGetProperty("quantity", out JsonElement qe) && qe.ValueKind == JsonValueKind.Number ? qe.GetInt64() : 1;
                revenue = p.GetDecimal() * q;
            }
        }

        return new TruthEvent(Str(e, "event_id")!, type, time, user, Str(e, "page"), Str(e, "product_id"), Str(e, "country"), Str(e, "device"), revenue, line);
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0 ? v.GetString() : null;

    public string? Dimension(string name) => name switch
    {
        "type" => Type,
        "page" => Page,
        "product_id" => Product,
        "country" => Country,
        "device" => Device,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}
