using System.Text;
using System.Text.Json;
using Pulse.Generate;

namespace Pulse.Tests.Generate;

/// <summary>Runs the generator into memory and parses what it wrote.</summary>
internal static class GeneratorRun
{
    public const long Start = 1_795_341_600_000; // 2026-11-22T10:00:00Z

    public static GeneratorSettings Settings(long seed, long count) => new()
    {
        Seed = seed,
        Count = count,
        StartMs = Start,
        Users = 2_000,
        Products = 500,
        ProgressInterval = null,
    };

    public static (byte[] Bytes, GenerateSummary Summary) Write(GeneratorSettings settings)
    {
        using var output = new MemoryStream();
        GenerateSummary summary = TrafficGenerator.WriteAsync(settings, output, TextWriter.Null, CancellationToken.None).GetAwaiter().GetResult();
        return (output.ToArray(), summary);
    }

    public static List<JsonDocument> ParseLines(byte[] ndjson)
    {
        var documents = new List<JsonDocument>();
        int start = 0;
        for (int i = 0; i < ndjson.Length; i++)
        {
            if (ndjson[i] == (byte)'\n')
            {
                documents.Add(JsonDocument.Parse(ndjson.AsMemory(start, i - start)));
                start = i + 1;
            }
        }

        Assert.Equal(ndjson.Length, start); // every line ends with a newline
        return documents;
    }

    public static long TimestampMs(JsonElement e)
    {
        JsonElement ts = e.GetProperty("timestamp");
        return ts.ValueKind == JsonValueKind.Number
            ? ts.GetInt64()
            : DateTimeOffset.Parse(ts.GetString()!, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
    }

    public static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
