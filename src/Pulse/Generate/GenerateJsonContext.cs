using System.Text.Json.Serialization;

namespace Pulse.Generate;

[JsonSerializable(typeof(IngestResponse))]
internal sealed partial class GenerateJsonContext : JsonSerializerContext;
