using System.Text.Json;

namespace Pulse.Client.Internal;

/// <summary>
/// The counts of a <c>POST /v1/events</c> answer — <c>{"accepted", "duplicates", "rejected", "errors": [{"index", "error"}]}</c>
/// on 202, and the same <c>errors</c> in the 400 problem when nothing was valid.
/// </summary>
internal sealed class IngestAnswer
{
    public long Accepted { get; private set; }
    public long Duplicates { get; private set; }
    public long Rejected { get; private set; }
    public string? Detail { get; private set; }

    /// <summary>(index in the batch, the server's reason), at most as many as the server lists.</summary>
    public List<(int Index, string Error)> Errors { get; } = [];

    public static IngestAnswer Parse(ReadOnlySpan<byte> body)
    {
        var answer = new IngestAnswer();
        if (body.IsEmpty)
        {
            return answer;
        }

        var reader = new Utf8JsonReader(body);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return answer;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("accepted"u8))
                {
                    answer.Accepted = ReadCount(ref reader);
                }
                else if (reader.ValueTextEquals("duplicates"u8))
                {
                    answer.Duplicates = ReadCount(ref reader);
                }
                else if (reader.ValueTextEquals("rejected"u8))
                {
                    answer.Rejected = ReadCount(ref reader);
                }
                else if (reader.ValueTextEquals("detail"u8))
                {
                    reader.Read();
                    answer.Detail = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("errors"u8))
                {
                    ReadErrors(ref reader, answer.Errors);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // A body that is not the contract's (a proxy's error page) still leaves the status to act on.
        }

        return answer;
    }

    private static long ReadCount(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long value) ? value : 0;
    }

    private static void ReadErrors(ref Utf8JsonReader reader, List<(int, string)> errors)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            int index = -1;
            string error = "";
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("index"u8) && reader.Read() && reader.TokenType == JsonTokenType.Number)
                {
                    index = reader.GetInt32();
                }
                else if (reader.ValueTextEquals("error"u8) && reader.Read() && reader.TokenType == JsonTokenType.String)
                {
                    error = reader.GetString() ?? "";
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            errors.Add((index, error));
        }
    }
}
