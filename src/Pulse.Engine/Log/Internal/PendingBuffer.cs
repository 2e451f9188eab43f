using System.Buffers;

namespace Pulse.Log.Internal;

/// <summary>
/// Records appended since the flusher last took the buffer, already framed as they go to disk,
/// plus the completion shared by all of their appends (one per flush cycle: group commit).
/// Two of these alternate: appenders fill one while the flusher writes the other.
/// </summary>
internal sealed class PendingBuffer
{
    private const int InitialBytes = 64 * 1024;

    /// <summary>Buffers that grew past this under a burst go back to the pool once flushed.</summary>
    private const int RetainedBytes = 4 * 1024 * 1024;

    private byte[] _bytes = ArrayPool<byte>.Shared.Rent(InitialBytes);

    public int Length { get; private set; }

    public long FirstOffset { get; set; }

    public int RecordCount { get; set; }

    public TaskCompletionSource? Cycle { get; set; }

    public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, Length);

    public Span<byte> Reserve(int bytes)
    {
        int required = Length + bytes;
        if (required > _bytes.Length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(required, _bytes.Length * 2));
            _bytes.AsSpan(0, Length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = larger;
        }

        Span<byte> reserved = _bytes.AsSpan(Length, bytes);
        Length = required;
        return reserved;
    }

    public void Reset()
    {
        Length = 0;
        RecordCount = 0;
        Cycle = null;
        if (_bytes.Length > RetainedBytes)
        {
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = ArrayPool<byte>.Shared.Rent(InitialBytes);
        }
    }

    public void ReturnToPool()
    {
        byte[] bytes = _bytes;
        _bytes = [];
        Length = 0;
        if (bytes.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}
