using System.Runtime.InteropServices;
using System.Text.Json;
using Pulse.Tests.EndToEnd;

namespace Pulse.Tests.Reliability;

/// <summary>
/// What a reliability test measured (faults injected, events at stake, lost, duplicated, time to
/// recover…), written to <c>artifacts/reliability/&lt;suite&gt;.json</c>. tests/reliability.sh renders
/// every such file into the figures table of docs/reliability.md.
/// </summary>
internal static class ReliabilityFigures
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Directory => Path.Combine(RepoPaths.Root, "artifacts", "reliability");

    /// <summary>
    /// Records one test's figures under <paramref name="suite"/> (a stable, file-name-safe id such
    /// as <c>crash-loop-embedded</c>). Values should be numbers or short strings; the keys become the
    /// table's column of figures in the order given.
    /// </summary>
    public static void Record(string suite, string proves, IEnumerable<KeyValuePair<string, object>> figures)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var document = new Dictionary<string, object>
        {
            ["suite"] = suite,
            ["proves"] = proves,
            ["mode"] = ReliabilityMode.Name,
            ["at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
            ["machine"] = $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}",
            ["figures"] = figures.ToDictionary(kv => kv.Key, kv => kv.Value),
        };
        string path = Path.Combine(Directory, suite + ".json");
        File.WriteAllText(path, JsonSerializer.Serialize(document, Indented));
    }
}
