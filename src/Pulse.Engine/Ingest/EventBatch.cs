using System.Buffers;
using Pulse.Events;

namespace Pulse.Ingest;

/// <summary>
/// The parsed form of one request body: encoded events back to back in one pooled buffer, their
/// headers (for routing without decoding), their positions in the body, and the rejections.
/// Meant to be reused across requests (<see cref="Reset"/>) and disposed to return its buffers.
/// </summary>
public sealed class EventBatch : IDisposable
{
    private const int InitialEvents = 64;

    private readonly ScratchBuffer _payloads = new(16 * 1024);
    private readonly List<IngestError> _errors = [];
    private EventHeader[] _headers = ArrayPool<EventHeader>.Shared.Rent(InitialEvents);
    private int[] _offsets = ArrayPool<int>.Shared.Rent(InitialEvents + 1);
    private int[] _indices = ArrayPool<int>.Shared.Rent(InitialEvents);

    /// <summary>Valid (encoded) events.</summary>
    public int Count { get; private set; }

    /// <summary>Events seen in the body, valid and rejected.</summary>
    public int TotalSeen { get; internal set; }

    public IReadOnlyList<IngestError> Errors => _errors;

    /// <summary>Set when the body as a whole is unusable; then <see cref="Count"/> is 0 and <see cref="Errors"/> is empty.</summary>
    public string? BodyError { get; private set; }

    /// <summary>Bytes of buffers this batch holds on to between requests (they grow with the largest body it has parsed).</summary>
    public long RetainedBytes => (long)_payloads.Capacity + Scratch.Capacity
        + ((long)_headers.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<EventHeader>()) + ((_offsets.Length + _indices.Length) * (long)sizeof(int));

    /// <summary>Total bytes of all encoded events.</summary>
    public int PayloadBytes => _payloads.Length;

    /// <summary>Per-event working space of the parser, kept here so it is reused with the batch.</summary>
    internal ScratchBuffer Scratch { get; } = new(4 * 1024);

    public ReadOnlySpan<byte> GetPayload(int i)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)i, (uint)Count, nameof(i));
        int start = _offsets[i];
        return _payloads.Written[start.._offsets[i + 1]];
    }

    /// <summary>All encoded events back to back; <see cref="GetSlice"/> locates one, so the log can copy a selection without re-packing.</summary>
    public ReadOnlySpan<byte> Buffer => _payloads.Written;

    public FieldSlice GetSlice(int i)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)i, (uint)Count, nameof(i));
        return new FieldSlice(_offsets[i], _offsets[i + 1] - _offsets[i]);
    }

    public ref readonly EventHeader GetHeader(int i)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)i, (uint)Count, nameof(i));
        return ref _headers[i];
    }

    /// <summary>The 0-based position in the body of valid event <paramref name="i"/>.</summary>
    public int GetIndex(int i)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)i, (uint)Count, nameof(i));
        return _indices[i];
    }

    public void Reset()
    {
        Count = 0;
        TotalSeen = 0;
        BodyError = null;
        _errors.Clear();
        _payloads.Clear();
        Scratch.Clear();
        _offsets[0] = 0;
    }

    public void Dispose()
    {
        Reset();
        _payloads.Dispose();
        Scratch.Dispose();
        ArrayPool<EventHeader>.Shared.Return(_headers);
        ArrayPool<int>.Shared.Return(_offsets);
        ArrayPool<int>.Shared.Return(_indices);
        _headers = [];
        _offsets = [0];
        _indices = [];
    }

    internal void Add(in EventHeader header, ReadOnlySpan<byte> source, ReadOnlySpan<FieldSlice> fields, int index)
    {
        if (Count >= _headers.Length || Count >= _indices.Length || Count + 1 >= _offsets.Length)
        {
            Grow();
        }

        int length = EventCodec.EncodedLength(fields);
        Span<byte> destination = _payloads.GetSpan(length);
        int written = EventCodec.Encode(header, source, fields, destination);
        _payloads.Advance(written);
        _headers[Count] = header;
        _indices[Count] = index;
        Count++;
        _offsets[Count] = _payloads.Length;
    }

    internal void AddError(int index, string error) => _errors.Add(new IngestError(index, error));

    /// <summary>Voids the batch: a body whose structure is unreliable yields no events at all.</summary>
    internal void SetBodyError(string error)
    {
        Count = 0;
        _errors.Clear();
        _payloads.Clear();
        _offsets[0] = 0;
        BodyError = error;
    }

    private void Grow()
    {
        int size = Math.Max(_headers.Length, 1) * 2;
        EventHeader[] headers = ArrayPool<EventHeader>.Shared.Rent(size);
        int[] offsets = ArrayPool<int>.Shared.Rent(size + 1);
        int[] indices = ArrayPool<int>.Shared.Rent(size);
        _headers.AsSpan(0, Count).CopyTo(headers);
        _offsets.AsSpan(0, Count + 1).CopyTo(offsets);
        _indices.AsSpan(0, Count).CopyTo(indices);
        ArrayPool<EventHeader>.Shared.Return(_headers);
        ArrayPool<int>.Shared.Return(_offsets);
        ArrayPool<int>.Shared.Return(_indices);
        _headers = headers;
        _offsets = offsets;
        _indices = indices;
    }
}
