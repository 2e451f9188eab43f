using Pulse.Analytics.Predicates;

namespace Pulse.Analytics.Funnels;

/// <summary>A funnel as defined: named ordered steps (event conditions) in one session, optionally within a time limit from the first.</summary>
public sealed record FunnelDefinition(string Name, IReadOnlyList<(string Name, EventPredicate When)> Steps, long WithinMs, string? Description)
{
    /// <summary>The definition in its canonical JSON (as <c>GET /v1/definitions/{name}</c> returns it).</summary>
    public string ToJson()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("kind", "funnel");
            w.WriteStartArray("steps");
            foreach ((string name, EventPredicate when) in Steps)
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WritePropertyName("when");
                w.WriteRawValue(when.Canonical);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (WithinMs > 0)
            {
                w.WriteString("within", Patterns.DurationText.Format(WithinMs));
            }

            if (Description is not null)
            {
                w.WriteString("description", Description);
            }

            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
