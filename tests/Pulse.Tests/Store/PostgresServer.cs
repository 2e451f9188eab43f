using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Pulse.Tests.EndToEnd;

namespace Pulse.Tests.Store;

/// <summary>
/// A real PostgreSQL (Debian's package) started once per test run: initdb and pg_ctl as the
/// <c>postgres</c> user (PostgreSQL refuses to run as root) in a temp directory, on a free loopback
/// port, trust authentication, no fsync (the data is thrown away). Stopped and removed when the
/// test process exits. Not installed: the first test that needs it fails and says how to install it.
/// </summary>
internal sealed class PostgresServer
{
    private static readonly Lazy<PostgresServer> SharedServer = new(
        () => OperatingSystem.IsWindows() ? throw new PlatformNotSupportedException("The PostgreSQL tests run on Linux.") : Start(),
        LazyThreadSafetyMode.ExecutionAndPublication);
    private static int s_databases;
    private readonly string _bin;
    private readonly string _root;

    private PostgresServer(string bin, string root, int port)
    {
        _bin = bin;
        _root = root;
        Port = port;
    }

    /// <summary>The server of this test run (started by the first test that asks).</summary>
    public static PostgresServer Shared => SharedServer.Value;

    public int Port { get; }

    private string DataDirectory => Path.Combine(_root, "data");

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public string CreateDatabase()
    {
        string name = $"pulse_{Environment.ProcessId}_{Interlocked.Increment(ref s_databases)}";
        using (var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false"))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            create.ExecuteNonQuery();
        }

        return ConnectionString(name);
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database={database}";

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static PostgresServer Start()
    {
        string bin = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb). Install Debian's package: apt-get install -y postgresql (./test.sh installs it).");
        RemoveStopped();
        string root = Path.Combine(Path.GetTempPath(), $"pulse-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        // The postgres user writes here (the cluster, its log and its socket) while root owns the directory.
        File.SetUnixFileMode(root, (UnixFileMode)0b111_111_111);
        Run(bin, "initdb", "-D", Path.Combine(root, "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions");

        // A port free now may be taken by the time the server binds it: try a few.
        for (int attempt = 1; ; attempt++)
        {
            int port = PulseProcess.FreePort();
            var server = new PostgresServer(bin, root, port);
            try
            {
                Run(bin, "pg_ctl", "-D", server.DataDirectory, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60", "-o",
                    $"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
                    "start");
                AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }
    }

    private void Stop()
    {
        try
        {
            Run(_bin, "pg_ctl", "-D", DataDirectory, "-m", "immediate", "-w", "stop");
        }
        finally
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Removes what earlier runs left when their process ended before cleaning up (a stopped server has no postmaster.pid).</summary>
    private static void RemoveStopped()
    {
        foreach (string old in Directory.GetDirectories(Path.GetTempPath(), "pulse-pg-*"))
        {
            // Young ones may be another run's, still in initdb.
            if (!File.Exists(Path.Combine(old, "data", "postmaster.pid")) && Directory.GetLastWriteTimeUtc(old) < DateTime.UtcNow.AddMinutes(-10))
            {
                try
                {
                    Directory.Delete(old, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private static string? FindBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).Order().LastOrDefault()
            : null;

    /// <summary>Runs a PostgreSQL program (as the postgres user when the tests run as root) and fails with its output.</summary>
    private static void Run(string bin, string program, params string[] args)
    {
        bool root = Environment.UserName == "root";
        var info = new ProcessStartInfo(root ? "runuser" : Path.Combine(bin, program))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (root)
        {
            foreach (string a in (string[])["-u", "postgres", "--", Path.Combine(bin, program)])
            {
                info.ArgumentList.Add(a);
            }
        }

        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using Process process = Process.Start(info)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{program} did not finish in 90 s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {output.Result}{errors.Result}");
        }
    }
}

/// <summary>A fresh database for one test class (xunit class fixture) on the run's <see cref="PostgresServer"/>.</summary>
public sealed class PostgresDatabase
{
    public string ConnectionString { get; } = PostgresServer.Shared.CreateDatabase();
}
