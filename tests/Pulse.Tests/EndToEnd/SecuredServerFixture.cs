namespace Pulse.Tests.EndToEnd;

/// <summary>A real server with one key of each scope, given on the command line as <c>pulse serve</c> takes them.</summary>
public sealed class SecuredServerFixture : IAsyncLifetime
{
    public const string WriteKey = "test-write-5b1d0c7e9a3f4d21";
    public const string ReadKey = "test-read-8c2e1f6a0b9d4e37";
    public const string AdminKey = "test-admin-3f7a9c1e5d2b8046";
    public const string WrongKey = "test-wrong-0000000000000000";

    private readonly TempDirectory _dir = new("pulse-auth");

    internal PulseProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PulseProcess.StartAsync(
        Path.Combine(_dir.Path, "data"), null,
        "--write-key", WriteKey, "--read-key", ReadKey, "--admin-key", AdminKey, "--Pulse:Auth:MetricsRequireKey=true",
        // Everything logged, so the test that no key reaches the log has something to look through.
        "--Logging:LogLevel:Default=Debug", "--Logging:LogLevel:Pulse.Security.ApiKeyAuthenticationHandler=Debug");

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _dir.Dispose();
    }
}
