using System.Text.Json.Serialization;

namespace Pulse.Generate;

/// <summary>The body of a 202 from <c>POST /v1/events</c> (only the counts; errors are not needed here).</summary>
internal sealed class IngestResponse
{
    [JsonPropertyName("accepted")]
    public long Accepted { get; set; }

    [JsonPropertyName("duplicates")]
    public long Duplicates { get; set; }

    [JsonPropertyName("rejected")]
    public long Rejected { get; set; }
}
