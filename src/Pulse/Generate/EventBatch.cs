using System.Buffers;

namespace Pulse.Generate;

/// <summary>
/// A batch of NDJSON lines in a pooled buffer plus its ground truth. Batches are recycled between the
/// producer and the senders, so steady-state generation allocates nothing; a retry resends exactly
/// these bytes, so event ids never change.
/// </summary>
internal sealed class EventBatch : IDisposable
{
    private byte[] _buffer;

    public EventBatch(int capacityEvents)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(64 * 1024, capacityEvents * 320));
        Truth = new BatchTruth(capacityEvents);
    }

    public BatchTruth Truth { get; }

    public int Length { get; private set; }

    public int Count => Truth.Events;

    /// <summary>Set by the producer: after its acknowledgement the batch is sent once more, to exercise dedupe.</summary>
    public bool ResendAsDuplicate { get; set; }

    public ReadOnlyMemory<byte> Payload => _buffer.AsMemory(0, Length);

    public byte[] Buffer => _buffer;

    public void Reset()
    {
        Length = 0;
        ResendAsDuplicate = false;
        Truth.Reset();
    }

    /// <summary>Free space for one more line, growing the pooled buffer when needed.</summary>
    public Span<byte> GetLineSpan()
    {
        if (_buffer.Length - Length < NdjsonEventWriter.MaxLineBytes)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(0, Length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return _buffer.AsSpan(Length);
    }

    public void Advance(int bytes) => Length += bytes;

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
