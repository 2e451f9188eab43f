using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pulse.Tests.EndToEnd;

/// <summary>
/// A real <c>pulse serve</c> process on a loopback port: started, stopped with SIGTERM, or killed
/// with SIGKILL, over the same data directory.
/// </summary>
internal sealed class PulseProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private PulseProcess(Process process, int port, string dataDirectory)
    {
        _process = process;
        Port = port;
        DataDirectory = dataDirectory;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public int Port { get; }
    public string DataDirectory { get; }
    public Uri BaseAddress { get; }
    public bool HasExited => _process.HasExited;

    /// <summary>The server's own process id (<c>dotnet pulse.dll</c> runs in-process): for /proc/&lt;pid&gt;/status.</summary>
    public int ProcessId => _process.Id;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static Task<PulseProcess> StartAsync(string dataDirectory, int? port = null, params string[] extraArgs) =>
        StartAsync(dataDirectory, port, "/health/ready", extraArgs);

    /// <summary>Starts a server that may never become ready (a readiness test): waits only for <c>/health/live</c>.</summary>
    public static Task<PulseProcess> StartLiveAsync(string dataDirectory, params string[] extraArgs) =>
        StartAsync(dataDirectory, null, "/health/live", extraArgs);

    private static async Task<PulseProcess> StartAsync(string dataDirectory, int? port, string waitFor, string[] extraArgs)
    {
        if (!File.Exists(RepoPaths.PulseDll))
        {
            throw new InvalidOperationException($"{RepoPaths.PulseDll} is missing: run ./test.sh (it builds the server) or ./pulse --help first.");
        }

        int p = port ?? FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(RepoPaths.PulseDll);
        info.ArgumentList.Add("serve");
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{p}");
        info.ArgumentList.Add("--data");
        info.ArgumentList.Add(dataDirectory);
        foreach (string arg in extraArgs)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_gcServer"] = "0";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Logging__LogLevel__Pulse.Engine"] = "Information";
        var process = new Process { StartInfo = info };
        var server = new PulseProcess(process, p, dataDirectory);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitForAsync(waitFor, TimeSpan.FromSeconds(60));
        }
        catch
        {
            // A server that never became ready must not outlive the test that started it.
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    private async Task WaitForAsync(string path, TimeSpan timeout)
    {
        using HttpClient client = CreateClient();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"pulse exited with {_process.ExitCode} before it was ready:\n{Output}");
            }

            try
            {
                using HttpResponseMessage response = await client.GetAsync(new Uri(path, UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"pulse was not ready within {timeout}:\n{Output}");
    }

    /// <summary>SIGKILL: no chance to flush or checkpoint.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM: the clean shutdown path (stop accepting, drain, checkpoint).</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        using (Process kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
