using System.Text;
using Pulse.Events;
using Pulse.Ingest;

namespace Pulse.Tests.Ingest;

internal static class ParserHarness
{
    /// <summary>2023-11-14T22:13:20Z.</summary>
    public const long Arrival = 1_700_000_000_000;

    public static EventBatch Parse(string body, BodyFormat format = BodyFormat.Json, IngestLimits? limits = null)
        => Parse(Encoding.UTF8.GetBytes(body), format, limits);

    public static EventBatch Parse(byte[] body, BodyFormat format = BodyFormat.Json, IngestLimits? limits = null)
    {
        var batch = new EventBatch();
        EventParser.Parse(body, format, Arrival, limits ?? IngestLimits.Default, batch);
        return batch;
    }

    /// <summary>The single rejection of a one-event body.</summary>
    public static string RejectionOf(string eventJson, IngestLimits? limits = null)
    {
        using EventBatch batch = Parse(eventJson, BodyFormat.Json, limits);
        Assert.Null(batch.BodyError);
        Assert.Equal(0, batch.Count);
        IngestError error = Assert.Single(batch.Errors);
        Assert.Equal(0, error.Index);
        return error.Error;
    }

    public static string Text(this EncodedEvent e, EventField field) => Encoding.UTF8.GetString(e[field]);
}
