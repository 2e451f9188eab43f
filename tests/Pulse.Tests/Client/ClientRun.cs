using System.Net;
using Pulse.Client;
using Pulse.Tests.EndToEnd;

namespace Pulse.Tests.Client;

/// <summary>
/// One test's events: a user and a country of their own, so the test can count exactly what it sent
/// on a server shared with other tests.
/// </summary>
internal sealed class ClientRun(PulseProcess server)
{
    public const string EventType = "client_event";
    private const string SentinelType = "client_sentinel";

    public string Id { get; } = "cl-" + Guid.NewGuid().ToString("N")[..12];

    public PulseEvent NewEvent(string type = EventType) => new(type) { UserId = Id, Country = Id };

    public PulseClientOptions Options(Uri? endpoint = null) => new()
    {
        Endpoint = endpoint ?? server.BaseAddress,
        MaxBatchDelay = TimeSpan.FromMilliseconds(20),
        InitialBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromSeconds(2),
        ShutdownTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>
    /// What Pulse counted for this run, by type, once it has processed everything stored so far: a
    /// sentinel of the same user goes to the same partition after every event already in its log, so
    /// once the sentinel is counted, so is everything before it — a late second copy would show.
    /// </summary>
    public async Task<Dictionary<string, decimal>> CountedAsync(PulseProcess? restarted = null)
    {
        using HttpClient http = (restarted ?? server).CreateClient();
        var metrics = new MetricsClient(http);
        (HttpStatusCode status, _) = await metrics.PostNdjsonAsync(
            $$"""{"type":"{{SentinelType}}","user_id":"{{Id}}","country":"{{Id}}"}""");
        Assert.Equal(HttpStatusCode.Accepted, status);
        Dictionary<string, decimal> byType = await SegmentApiTests.WaitForAsync(
            metrics, "events", "type", Id, t => t.GetValueOrDefault(SentinelType) == 1);
        byType.Remove(SentinelType);
        return byType;
    }
}
