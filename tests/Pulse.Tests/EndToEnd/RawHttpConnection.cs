using System.Net.Sockets;
using System.Text;

namespace Pulse.Tests.EndToEnd;

/// <summary>
/// One HTTP/1.1 request written by hand over a TCP socket, for what HttpClient will not do: trickle
/// a body byte by byte, declare a Content-Length and never finish it, half-close mid-body.
/// </summary>
internal sealed class RawHttpConnection : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private RawHttpConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<RawHttpConnection> OpenAsync(int port, CancellationToken ct)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(System.Net.IPAddress.Loopback, port, ct);
        return new RawHttpConnection(client);
    }

    /// <summary>The request line and headers (with the blank line that ends them).</summary>
    public static byte[] Head(string method, string path, IEnumerable<string> headers) =>
        Encoding.ASCII.GetBytes($"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{string.Concat(headers.Select(h => h + "\r\n"))}\r\n");

    public async Task SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        await _stream.WriteAsync(bytes, ct);
        await _stream.FlushAsync(ct);
    }

    /// <summary>Sends one byte at a time with a pause between; stops quietly when the server has closed the connection.</summary>
    public async Task TrickleAsync(ReadOnlyMemory<byte> bytes, TimeSpan pause, CancellationToken ct)
    {
        try
        {
            for (int i = 0; i < bytes.Length; i++)
            {
                await SendAsync(bytes.Slice(i, 1), ct);
                await Task.Delay(pause, ct);
            }
        }
        catch (IOException)
        {
            // The server gave up on the body (the point of a slow-loris case): its answer is read next.
        }
    }

    public void ShutdownWrite() => _client.Client.Shutdown(SocketShutdown.Send);

    /// <summary>
    /// The status and body of the response, or a null status when the server closed the connection
    /// without answering. Reads until the body is complete (Content-Length or chunked) or the socket closes.
    /// </summary>
    public async Task<(int? Status, string Head, string Body)> ReadResponseAsync(CancellationToken ct)
    {
        var received = new MemoryStream();
        byte[] buffer = new byte[8192];
        while (true)
        {
            int read;
            try
            {
                read = await _stream.ReadAsync(buffer, ct);
            }
            catch (IOException)
            {
                read = 0;
            }

            if (read == 0)
            {
                break;
            }

            received.Write(buffer, 0, read);
            if (IsComplete(received.ToArray()))
            {
                break;
            }
        }

        string text = Encoding.UTF8.GetString(received.ToArray());
        int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (!text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || end < 0)
        {
            return (null, text, "");
        }

        int status = int.Parse(text.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
        string head = text[..end];
        string body = text[(end + 4)..];
        return (status, head, head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) ? Dechunk(body) : body);
    }

    private static bool IsComplete(byte[] data)
    {
        string text = Encoding.ASCII.GetString(data);
        int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        string head = text[..end];
        foreach (string line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                return data.Length - (end + 4) >= int.Parse(line.AsSpan(15).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) ? text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal) : false;
    }

    private static string Dechunk(string body)
    {
        var output = new StringBuilder();
        int at = 0;
        while (at < body.Length)
        {
            int lineEnd = body.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (lineEnd < 0 || !int.TryParse(body.AsSpan(at, lineEnd - at), System.Globalization.NumberStyles.HexNumber, null, out int size) || size == 0)
            {
                break;
            }

            output.Append(body, lineEnd + 2, Math.Min(size, body.Length - lineEnd - 2));
            at = lineEnd + 2 + size + 2;
        }

        return output.ToString();
    }

    public void Dispose()
    {
        _stream.Dispose();
        _client.Dispose();
    }
}
