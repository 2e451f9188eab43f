namespace Pulse.Hosting;

/// <summary>The readiness checks (their thresholds are validated with the rest of the options by <see cref="PulseOptionsValidator"/>).</summary>
public static class HealthSetup
{
    public static IServiceCollection AddPulseHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<LogHealthCheck>("log")
            .AddCheck<StoreHealthCheck>("store")
            .AddCheck<ProcessingHealthCheck>("processing")
            .AddCheck<CheckpointHealthCheck>("checkpoint")
            .AddCheck<DedupeHealthCheck>("dedupe");
        return services;
    }
}
