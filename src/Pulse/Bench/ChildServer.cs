using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Pulse.Bench;

/// <summary>
/// A server under test in its own process (<c>dotnet pulse.dll serve|bench sink</c>) on a free
/// loopback port, with a fresh data directory. Disposing kills it and deletes the directory; so does
/// the process exiting, so Ctrl-C or a crash leaves nothing behind.
/// </summary>
internal sealed class ChildServer : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<ChildServer, bool> Live = new();
    private static int _exitHookInstalled;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly string? _dataDirectory;
    private int _disposed;

    private ChildServer(Process process, Uri baseAddress, string? dataDirectory)
    {
        _process = process;
        BaseAddress = baseAddress;
        _dataDirectory = dataDirectory;
    }

    public Uri BaseAddress { get; }

    public int Pid => _process.Id;

    /// <summary>The last lines the server wrote (stdout and stderr), for error messages.</summary>
    public string RecentOutput => string.Join('\n', _output);

    /// <summary>Starts <c>serve</c> with a fresh data directory and any further settings (<c>--Pulse:Section:Name=value</c>).</summary>
    public static Task<ChildServer> StartPulseAsync(TextWriter log, CancellationToken cancellationToken, params string[] settings)
    {
        string data = Path.Combine(Path.GetTempPath(), "pulse-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        return StartAsync(["serve", "--data", data, .. settings], data, "/health/ready", log, cancellationToken);
    }

    /// <summary>Starts the bare-Kestrel sink (<c>bench sink</c>).</summary>
    public static Task<ChildServer> StartSinkAsync(TextWriter log, CancellationToken cancellationToken) =>
        StartAsync(["bench", "sink"], null, "/health/ready", log, cancellationToken);

    private static async Task<ChildServer> StartAsync(string[] arguments, string? data, string readyPath, TextWriter log, CancellationToken cancellationToken)
    {
        InstallExitHook();
        int port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(ChildServer).Assembly.Location);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));
        // Warnings only: per-request logging would be measured as server cost.
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + start.FileName);
        var server = new ChildServer(process, baseAddress, data);
        Live[server] = true;
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitReadyAsync(readyPath, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        log.WriteLine($"bench: {string.Join(' ', arguments[..Math.Min(2, arguments.Length)])} ready at {baseAddress} (pid {process.Id})");
        return server;
    }

    private async Task WaitReadyAsync(string path, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode} before it was ready:\n{RecentOutput}");
            }

            try
            {
                using HttpResponseMessage response = await client.GetAsync(new Uri(BaseAddress, path), cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"The server at {BaseAddress} was not ready within 90 s:\n{RecentOutput}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 40 && _output.TryDequeue(out _))
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
        DeleteData();
    }

    private void Kill()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Live.TryRemove(this, out _);
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private void DeleteData()
    {
        if (_dataDirectory is null)
        {
            return;
        }

        for (int attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                if (Directory.Exists(_dataDirectory))
                {
                    Directory.Delete(_dataDirectory, recursive: true);
                }

                return;
            }
            catch (IOException)
            {
                Thread.Sleep(200);
            }
        }
    }

    private static void InstallExitHook()
    {
        if (Interlocked.Exchange(ref _exitHookInstalled, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (ChildServer server in Live.Keys)
            {
                server.Kill();
                server._process.WaitForExit(5000);
                server.DeleteData();
            }
        };
    }

    /// <summary>The dotnet host running this process (the bench runs as <c>dotnet pulse.dll</c>).</summary>
    private static string DotnetHost()
    {
        string? host = Environment.ProcessPath;
        return host is not null && Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? host : "dotnet";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
