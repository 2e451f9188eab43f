using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Pulse.Hosting;

/// <summary>The readiness checks and the validation of their thresholds.</summary>
public static class HealthSetup
{
    public static IServiceCollection AddPulseHealthChecks(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<PulseOptions>, HealthOptionsValidator>();
        services.AddHealthChecks()
            .AddCheck<LogHealthCheck>("log")
            .AddCheck<StoreHealthCheck>("store")
            .AddCheck<ProcessingHealthCheck>("processing")
            .AddCheck<CheckpointHealthCheck>("checkpoint")
            .AddCheck<DedupeHealthCheck>("dedupe");
        return services;
    }

    /// <summary>ValidateDataAnnotations checks only the top-level options object, so the Health section is validated here.</summary>
    private sealed class HealthOptionsValidator : IValidateOptions<PulseOptions>
    {
        public ValidateOptionsResult Validate(string? name, PulseOptions options)
        {
            var results = new List<ValidationResult>();
            if (Validator.TryValidateObject(options.Health, new ValidationContext(options.Health), results, validateAllProperties: true))
            {
                return ValidateOptionsResult.Success;
            }

            return ValidateOptionsResult.Fail(results.Select(static r => r.ErrorMessage ?? "Invalid Pulse:Health option."));
        }
    }
}
