using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pulse.Client.Internal;

namespace Pulse.Client;

/// <summary>Registers a <see cref="PulseClient"/> with a host.</summary>
public static class PulseClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds one <see cref="PulseClient"/> (a singleton) whose options bind from the <c>PulseClient</c>
    /// configuration section and then <paramref name="configure"/>, validated at start; its
    /// <see cref="HttpClient"/> comes from <c>IHttpClientFactory</c> (named <see cref="PulseClient.HttpClientName"/>);
    /// and a hosted service that sends what is queued when the host stops.
    /// </summary>
    public static IServiceCollection AddPulseClient(this IServiceCollection services, Action<PulseClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<PulseClientOptions> options = services.AddOptions<PulseClientOptions>().BindConfiguration(PulseClientOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PulseClientOptions>, PulseClientOptionsValidation>());
        options.ValidateOnStart();
        services.AddHttpClient(PulseClient.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddSingleton(provider =>
        {
            IHttpClientFactory factory = provider.GetRequiredService<IHttpClientFactory>();
            return new PulseClient(
                provider.GetRequiredService<IOptions<PulseClientOptions>>().Value,
                () => factory.CreateClient(PulseClient.HttpClientName),
                provider.GetService<ILogger<PulseClient>>());
        });
        services.AddHostedService<PulseClientHostedService>();
        return services;
    }
}
