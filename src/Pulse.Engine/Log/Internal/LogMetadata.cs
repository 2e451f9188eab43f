using System.Globalization;
using System.Text.Json;

namespace Pulse.Log.Internal;

/// <summary>
/// <c>&lt;dataDir&gt;/log/meta.json</c>: the partition count the data was written with. Events are
/// routed by hash modulo that count, so opening with another count would scatter a user's
/// events over partitions; it is refused instead.
/// </summary>
internal static class LogMetadata
{
    public const string FileName = "meta.json";
    private const int Version = 1;

    /// <summary>Returns the partition count to use, writing the file on first use.</summary>
    public static int Resolve(string logDirectory, int requestedPartitions)
    {
        string path = Path.Combine(logDirectory, FileName);
        int? stored = Read(path) ?? CountPartitionDirectories(logDirectory);
        if (stored is int existing)
        {
            if (requestedPartitions != 0 && requestedPartitions != existing)
            {
                throw new InvalidOperationException(
                    $"The log in '{logDirectory}' was written with {existing} partitions but {requestedPartitions} are configured. " +
                    $"The partition count is fixed once data exists: set Pulse:Log:Partitions to {existing} (or 0), or start with an empty data directory.");
            }

            if (!File.Exists(path))
            {
                Write(path, existing);
            }

            return existing;
        }

        int partitions = requestedPartitions != 0 ? requestedPartitions : 2 * Environment.ProcessorCount;
        Write(path, partitions);
        return partitions;
    }

    public static string PartitionDirectory(string logDirectory, int partition) =>
        Path.Combine(logDirectory, "p-" + partition.ToString("D3", CultureInfo.InvariantCulture));

    private static int? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
            if (document.RootElement.TryGetProperty("partitions", out JsonElement partitions)
                && partitions.TryGetInt32(out int count)
                && count > 0)
            {
                return count;
            }
        }
        catch (JsonException)
        {
        }

        throw new InvalidOperationException($"'{path}' is not a valid log metadata file; it should hold {{\"version\": {Version}, \"partitions\": N}}.");
    }

    private static int? CountPartitionDirectories(string logDirectory)
    {
        if (!Directory.Exists(logDirectory))
        {
            return null;
        }

        int count = Directory.GetDirectories(logDirectory, "p-*").Length;
        return count > 0 ? count : null;
    }

    private static void Write(string path, int partitions)
    {
        using MemoryStream stream = new();
        using (Utf8JsonWriter writer = new(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", Version);
            writer.WriteNumber("partitions", partitions);
            writer.WriteEndObject();
        }

        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, stream.ToArray());
        File.Move(temporary, path, overwrite: true);
    }
}
