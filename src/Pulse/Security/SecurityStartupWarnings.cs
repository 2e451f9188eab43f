namespace Pulse.Security;

/// <summary>Once the server listens, warns about an open server and keys sent in clear beyond this machine. Never logs a key.</summary>
public sealed partial class SecurityStartupWarnings(IHostApplicationLifetime lifetime, ApiKeyStore keys, ListenExposure exposure, ILogger<SecurityStartupWarnings> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Warn);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Warn()
    {
        IReadOnlyList<string> exposed = exposure.ExposedAddresses();
        if (keys.IsOpen)
        {
            LogOpen(logger);
            if (exposed.Count > 0)
            {
                LogOpenAndExposed(logger, string.Join(", ", exposed));
            }

            return;
        }

        LogKeys(logger, keys.WriteKeys, keys.ReadKeys, keys.AdminKeys);
        foreach (string address in exposed)
        {
            if (address.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            {
                LogClearText(logger, address);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No API keys are configured: every endpoint is open. Set Pulse:Auth:WriteKeys/ReadKeys/AdminKeys or serve --write-key/--read-key/--admin-key.")]
    private static partial void LogOpen(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening beyond localhost ({Addresses}) without API keys: anyone who can reach this server may send and read data; /health/ready reports the auth check Degraded.")]
    private static partial void LogOpenAndExposed(ILogger logger, string addresses);

    [LoggerMessage(Level = LogLevel.Information, Message = "API keys: {Write} write, {Read} read, {Admin} admin.")]
    private static partial void LogKeys(ILogger logger, int write, int read, int admin);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Address} is plain HTTP beyond localhost: API keys cross the network in clear. Serve HTTPS (Kestrel:Endpoints:Https) or put a TLS proxy in front.")]
    private static partial void LogClearText(ILogger logger, string address);
}
