using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pulse.Client;
using Pulse.Tests.EndToEnd;

namespace Pulse.Tests.Client;

/// <summary><c>services.AddPulseClient()</c>: options bound from configuration, validated at start, queued events sent when the host stops.</summary>
[Collection(ClientServerCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class PulseClientHostingTests(ServerFixture fixture)
{
    [Fact]
    public async Task Stopping_the_host_sends_what_is_queued()
    {
        var run = new ClientRun(fixture.Server);
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PulseClient:Endpoint"] = fixture.Server.BaseAddress.ToString(),
            // No batch would leave before the host stops: only the stop can send these.
            ["PulseClient:MaxBatchDelay"] = "01:00:00",
            ["PulseClient:MaxBatchSize"] = "1000",
            ["PulseClient:OverflowPolicy"] = "Wait",
        });
        builder.Services.AddPulseClient(options => options.QueueCapacity = 5000);
        using IHost host = builder.Build();
        await host.StartAsync();
        PulseClient client = host.Services.GetRequiredService<PulseClient>();
        for (int i = 0; i < 30; i++)
        {
            await client.TrackAsync(run.NewEvent());
        }

        Assert.Equal(0, client.Statistics.Requests);
        await host.StopAsync();

        PulseClientStatistics stats = client.Statistics;
        Assert.Equal((30, 1), (stats.Accepted, stats.Requests));
        Assert.False(client.TryTrack(run.NewEvent()), "a stopped client takes no more events");
        Assert.Equal(new Dictionary<string, decimal> { [ClientRun.EventType] = 30 }, await run.CountedAsync());
    }

    [Fact]
    public void The_options_bind_from_configuration_and_then_the_callback()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PulseClient:Endpoint"] = "http://pulse.internal:8080",
            ["PulseClient:ApiKey"] = "from-config",
            ["PulseClient:MaxBatchSize"] = "250",
            ["PulseClient:MaxBatchDelay"] = "00:00:02",
            ["PulseClient:OverflowPolicy"] = "Wait",
        }).Build());
        services.AddPulseClient(options => options.ApiKey = "from-code");
        using ServiceProvider provider = services.BuildServiceProvider();
        PulseClientOptions bound = provider.GetRequiredService<IOptions<PulseClientOptions>>().Value;
        Assert.Equal(new Uri("http://pulse.internal:8080"), bound.Endpoint);
        Assert.Equal("from-code", bound.ApiKey);
        Assert.Equal(250, bound.MaxBatchSize);
        Assert.Equal(TimeSpan.FromSeconds(2), bound.MaxBatchDelay);
        Assert.Equal(QueueOverflowPolicy.Wait, bound.OverflowPolicy);
    }

    [Fact]
    public async Task A_host_without_an_endpoint_fails_to_start_and_says_which_setting()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddPulseClient(options => options.MaxBatchSize = 0);
        using IHost host = builder.Build();
        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(error.Failures, f => f.Contains("PulseClient:Endpoint", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("PulseClient:MaxBatchSize", StringComparison.Ordinal));
    }
}
