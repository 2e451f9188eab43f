using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pulse.Http;

/// <summary>Writer settings for API responses: JSON for machines, not HTML, so quotes and apostrophes stay readable.</summary>
public static class JsonWriting
{
    public static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
