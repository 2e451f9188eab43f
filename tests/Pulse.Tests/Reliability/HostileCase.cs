using System.Text.Json;

namespace Pulse.Tests.Reliability;

/// <summary>One generated hostile request: where it goes, what it carries, and what the server must answer.</summary>
internal sealed record HostileCase(string Category, string Path, byte[] Body, string? ContentType, string? ContentEncoding, HostileExpectation Expect)
{
    public bool IsSegment => Path != "/v1/events";
}

/// <summary>
/// What a case may be answered with: the allowed statuses (decided when the case is generated), and
/// for a case known to hold valid events, how many must be accepted.
/// </summary>
internal sealed record HostileExpectation(int[] Statuses, int? Accepted = null)
{
    public static HostileExpectation Rejected { get; } = new([400]);

    public static HostileExpectation Either(bool segment) => new(segment ? [200, 400] : [202, 400]);

    public static HostileExpectation Accepted1(bool segment) => new([segment ? 200 : 202], 1);

    public static HostileExpectation Status(int status) => new([status]);
}

/// <summary>
/// The one-directional oracle for bodies the generator cannot judge itself (mutations, random
/// bytes): System.Text.Json, with the parser's depth and strictness, decides whether the body is
/// JSON at all. Malformed JSON must be a 400; well-formed JSON may be valid or not.
/// </summary>
internal static class JsonOracle
{
    private static readonly JsonDocumentOptions Strict = new() { MaxDepth = 128, CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false };

    public static bool IsWellFormed(ReadOnlySpan<byte> json)
    {
        if (json.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            json = json[3..];
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(json.ToArray(), Strict);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>For NDJSON: true when at least one non-blank line is well-formed JSON (only then may anything be accepted).</summary>
    public static bool AnyLineWellFormed(ReadOnlySpan<byte> ndjson)
    {
        foreach (Range range in ndjson.Split((byte)'\n'))
        {
            ReadOnlySpan<byte> line = ndjson[range].TrimEnd((byte)'\r');
            if (line.IndexOfAnyExcept(" \t\r"u8) >= 0 && IsWellFormed(line))
            {
                return true;
            }
        }

        return false;
    }
}
