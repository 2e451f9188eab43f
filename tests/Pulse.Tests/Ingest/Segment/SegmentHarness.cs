using System.Text;
using System.Text.Json;
using Pulse.Events;
using Pulse.Ingest;
using Pulse.Ingest.Segment;

namespace Pulse.Tests.Ingest.Segment;

/// <summary>Translates a Segment body and parses the result, exactly as the Segment endpoints do.</summary>
internal sealed class SegmentHarness : IDisposable
{
    public const long Arrival = ParserHarness.Arrival;

    private SegmentHarness(SegmentTranslation translation, EventBatch batch, List<IngestError> errors)
    {
        Translation = translation;
        Batch = batch;
        Errors = errors;
    }

    public SegmentTranslation Translation { get; }
    public EventBatch Batch { get; }

    /// <summary>Every rejection, by the index of the Segment call.</summary>
    public List<IngestError> Errors { get; }

    public static SegmentHarness Run(string body, SegmentCall call = SegmentCall.Batch, IngestLimits? limits = null)
    {
        limits ??= IngestLimits.Default;
        var translation = new SegmentTranslation();
        var batch = new EventBatch();
        SegmentTranslator.Translate(Encoding.UTF8.GetBytes(body), call, Arrival, limits, translation);
        if (translation.BodyError is null && translation.Count > 0)
        {
            EventParser.Parse(translation.Ndjson, BodyFormat.Ndjson, Arrival, limits, batch);
            Assert.Null(batch.BodyError);
        }

        return new SegmentHarness(translation, batch, translation.MergeErrors(batch.Errors));
    }

    /// <summary>The one event a one-call body became.</summary>
    public static Translated Single(string body, SegmentCall call)
    {
        using SegmentHarness run = Run(body, call);
        Assert.Null(run.Translation.BodyError);
        Assert.Empty(run.Errors);
        Assert.Equal(1, run.Batch.Count);
        return Translated.From(run.Batch, 0);
    }

    public void Dispose()
    {
        Translation.Dispose();
        Batch.Dispose();
    }
}

/// <summary>An encoded event read back into plain values.</summary>
internal sealed record Translated(EventHeader Header, Dictionary<EventField, string> Fields, JsonElement? Properties)
{
    public string this[EventField field] => Fields.TryGetValue(field, out string? value) ? value : "";

    public string Type => this[EventField.Type];

    public decimal Revenue => Header.RevenueMicros / 1_000_000m;

    public decimal Price => Header.PriceMicros / 1_000_000m;

    public JsonElement Property(string name)
    {
        Assert.True(Properties is { } p && p.TryGetProperty(name, out _), $"no property '{name}' in {Properties}");
        return Properties!.Value.GetProperty(name);
    }

    public bool HasProperty(string name) => Properties is { } p && p.TryGetProperty(name, out _);

    public static Translated From(EventBatch batch, int i)
    {
        var e = new EncodedEvent(batch.GetPayload(i));
        var fields = new Dictionary<EventField, string>();
        foreach (EventField field in Enum.GetValues<EventField>())
        {
            if (!e[field].IsEmpty)
            {
                fields[field] = Encoding.UTF8.GetString(e[field]);
            }
        }

        JsonElement? properties = fields.TryGetValue(EventField.Properties, out string? json) ? JsonDocument.Parse(json).RootElement.Clone() : null;
        return new Translated(e.Header, fields, properties);
    }
}
