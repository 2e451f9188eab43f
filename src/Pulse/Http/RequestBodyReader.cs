using System.Buffers;
using System.IO.Compression;

namespace Pulse.Http;

/// <summary>Why a body could not be read.</summary>
public enum BodyReadStatus
{
    Ok,
    TooLarge,
    BadEncoding,
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
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel's own limit (bytes on the wire), hit by a chunked body that declared no length.
            ArrayPool<byte>.Shared.Return(buffer);
            return (BodyReadStatus.TooLarge, null, 0);
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
