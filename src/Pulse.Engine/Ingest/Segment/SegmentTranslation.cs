using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pulse.Ingest.Segment;

/// <summary>
/// A Segment body translated into Pulse's event format: one NDJSON line per Segment call that
/// could be translated, for <see cref="EventParser"/> to validate and encode exactly as it does
/// <c>POST /v1/events</c>. Remembers which call each line came from, so rejections name the index
/// of the call in the body the client sent. Meant to be reused across requests (<see cref="Reset"/>).
/// </summary>
public sealed class SegmentTranslation : IDisposable
{
    private const int InitialLines = 64;

    private readonly PooledBufferWriter _ndjson = new(16 * 1024);
    private readonly List<IngestError> _errors = [];
    private int[] _sources = ArrayPool<int>.Shared.Rent(InitialLines);
    private Utf8JsonWriter? _writer;

    /// <summary>The translated events, one JSON object per line.</summary>
    public ReadOnlySpan<byte> Ndjson => _ndjson.Written;

    /// <summary>Bytes of buffers this translation holds on to between requests (they grow with the largest body it has translated).</summary>
    public int RetainedBytes => _ndjson.Capacity + (_sources.Length * sizeof(int));

    /// <summary>Lines in <see cref="Ndjson"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Segment calls seen in the body, translated or not.</summary>
    public int TotalSeen { get; internal set; }

    /// <summary>Calls that could not be translated, by their index in the body.</summary>
    public IReadOnlyList<IngestError> Errors => _errors;

    /// <summary>Set when the body as a whole is unusable; then nothing was translated.</summary>
    public string? BodyError { get; private set; }

    internal PooledBufferWriter Buffer => _ndjson;

    /// <summary>
    /// Writes each line; structure checks are off because the translator writes whole objects and
    /// copies values that the reader has already checked, and the parser validates every line again.
    /// </summary>
    internal Utf8JsonWriter Writer => _writer ??= new Utf8JsonWriter(_ndjson, new JsonWriterOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    });

    /// <summary>The index in the Segment body of the call that became line <paramref name="line"/>.</summary>
    public int SourceOf(int line)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)line, (uint)Count, nameof(line));
        return _sources[line];
    }

    /// <summary>
    /// Every rejection of the request by the index of the Segment call: the translator's own and the
    /// parser's (whose indexes count translated lines), in body order.
    /// </summary>
    public List<IngestError> MergeErrors(IReadOnlyList<IngestError> parserErrors)
    {
        ArgumentNullException.ThrowIfNull(parserErrors);
        var merged = new List<IngestError>(_errors.Count + parserErrors.Count);
        int t = 0;
        foreach (IngestError error in parserErrors)
        {
            var mapped = new IngestError(SourceOf(error.Index), error.Error);
            while (t < _errors.Count && _errors[t].Index < mapped.Index)
            {
                merged.Add(_errors[t++]);
            }

            merged.Add(mapped);
        }

        while (t < _errors.Count)
        {
            merged.Add(_errors[t++]);
        }

        return merged;
    }

    public void Reset()
    {
        _ndjson.Clear();
        _errors.Clear();
        Count = 0;
        TotalSeen = 0;
        BodyError = null;
    }

    public void Dispose()
    {
        Reset();
        _writer?.Dispose();
        _ndjson.Dispose();
        ArrayPool<int>.Shared.Return(_sources);
        _sources = [];
    }

    /// <summary>Ends the line just written for the call at <paramref name="source"/>.</summary>
    internal void CommitLine(int source)
    {
        if (Count == _sources.Length)
        {
            int[] grown = ArrayPool<int>.Shared.Rent(_sources.Length * 2);
            _sources.AsSpan(0, Count).CopyTo(grown);
            ArrayPool<int>.Shared.Return(_sources);
            _sources = grown;
        }

        _ndjson.Append((byte)'\n');
        _sources[Count++] = source;
    }

    internal void AddError(int index, string error) => _errors.Add(new IngestError(index, error));

    internal void SetBodyError(string error)
    {
        Reset();
        BodyError = error;
    }
}
