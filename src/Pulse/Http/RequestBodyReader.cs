using System.Buffers;
using System.IO.Compression;

namespace Pulse.Http;

/// <summary>Why a body could not be read.</summary>
public enum BodyReadStatus
{
    Ok,
    TooLarge,
    BadEncoding,

    /// <summary>The body arrived slower than Kestrel's <c>MinRequestBodyDataRate</c> (a trickled or stalled body).</summary>
    TooSlow,

    /// <summary>The connection ended before the declared body did, or the body's framing was invalid.</summary>
    Incomplete,
}

/// <summary>
/// Reads a request body (optionally gzip) into one pooled buffer, never past the limit — which also
/// applies after decompression, so a gzip bomb stops at the limit instead of filling memory.
/// </summary>
public static class RequestBodyReader
{
    public static async Task<(BodyReadStatus Status, byte[]? Buffer, int Length)> ReadAsync(HttpRequest request, bool gzip, int limit, CancellationToken ct)
    {
        if (request.ContentLength is long declared && declared > limit)
        {
            return (BodyReadStatus.TooLarge, null, 0);
        }

        Stream source = gzip ? new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true) : request.Body;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is long n && n > 0 && !gzip ? (int)n + 1 : 64 * 1024);
        int length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length > limit)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return (BodyReadStatus.TooLarge, null, 0);
                    }

                    byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Min((long)buffer.Length * 2, (long)limit + 1) is long size ? (int)size : 0);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                int read = await source.ReadAsync(buffer.AsMemory(length), ct).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return (BodyReadStatus.TooLarge, null, 0);
                }
            }

            return (BodyReadStatus.Ok, buffer, length);
        }
        catch (InvalidDataException)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (BodyReadStatus.BadEncoding, null, 0);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's verdicts on the body: its own limit (bytes on the wire, hit by a chunked body
            // that declared no length), a body trickled or stalled below the minimum data rate
            // (slow loris), or a body cut short. They are the client's faults: a 4xx, never a 500.
            ArrayPool<byte>.Shared.Return(buffer);
            return (ex.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => BodyReadStatus.TooLarge,
                StatusCodes.Status408RequestTimeout => BodyReadStatus.TooSlow,
                _ => BodyReadStatus.Incomplete,
            }, null, 0);
        }
        catch (IOException)
        {
            // The connection was reset mid-body: nobody is left to answer, but it is not a server fault.
            ArrayPool<byte>.Shared.Return(buffer);
            return (BodyReadStatus.Incomplete, null, 0);
        }
        finally
        {
            if (gzip)
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
