using Pulse.Ingest;

namespace Pulse.Metrics;

/// <summary>
/// Maps an event's rejection message to one of a few fixed reasons, so the label has bounded values
/// while the response keeps the full message.
/// </summary>
public static class RejectionReasons
{
    public const string MalformedJson = "malformed_json";
    public const string NotAnObject = "not_an_object";
    public const string MissingField = "missing_field";
    public const string DuplicateField = "duplicate_field";
    public const string TimestampRange = "timestamp_out_of_range";
    public const string TooLarge = "too_large";
    public const string InvalidField = "invalid_field";
    public const string Other = "other";

    public static readonly string[] All = [MalformedJson, NotAnObject, MissingField, DuplicateField, TimestampRange, TooLarge, InvalidField, Other];

    public static string Classify(string error)
    {
        if (error.StartsWith("malformed JSON", StringComparison.Ordinal))
        {
            return MalformedJson;
        }

        if (error.StartsWith("event must be", StringComparison.Ordinal))
        {
            return NotAnObject;
        }

        if (error.StartsWith("missing required", StringComparison.Ordinal))
        {
            return MissingField;
        }

        if (error.StartsWith("duplicate field", StringComparison.Ordinal))
        {
            return DuplicateField;
        }

        if (error.Contains("in the future", StringComparison.Ordinal) || error.Contains("in the past", StringComparison.Ordinal)
            || error.Contains("before 1970", StringComparison.Ordinal))
        {
            return TimestampRange;
        }

        if (error.Contains("at most", StringComparison.Ordinal) || error.Contains("longer than", StringComparison.Ordinal)
            || error.Contains("more than", StringComparison.Ordinal) || error.Contains("deeper than", StringComparison.Ordinal)
            || error.Contains("too many", StringComparison.Ordinal) || error.Contains("above", StringComparison.Ordinal))
        {
            return TooLarge;
        }

        return error.StartsWith("field", StringComparison.Ordinal) || error.StartsWith("a field", StringComparison.Ordinal)
            || error.StartsWith("a string", StringComparison.Ordinal)
            ? InvalidField
            : Other;
    }

    /// <summary>Counts a request's rejections per reason and records each reason once.</summary>
    public static void Record(IReadOnlyList<IngestError> errors)
    {
        if (errors.Count == 0)
        {
            return;
        }

        Span<int> counts = stackalloc int[All.Length];
        for (int i = 0; i < errors.Count; i++)
        {
            counts[Array.IndexOf(All, Classify(errors[i].Error))]++;
        }

        for (int i = 0; i < counts.Length; i++)
        {
            if (counts[i] > 0)
            {
                ServerInstruments.EventsRejected.Add(counts[i], new KeyValuePair<string, object?>("reason", All[i]));
            }
        }
    }
}
