using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Pulse.Hosting;

/// <summary>
/// ValidateDataAnnotations checks only the top-level options object, so each section of
/// <c>Pulse</c> (attributes and <see cref="IValidatableObject"/> rules) is validated here, and a
/// wrong setting stops the start with its full configuration key in the message.
/// </summary>
internal sealed class PulseOptionsValidator : IValidateOptions<PulseOptions>
{
    public ValidateOptionsResult Validate(string? name, PulseOptions options)
    {
        var failures = new List<string>();
        Check(options.Ingest, nameof(PulseOptions.Ingest), failures);
        Check(options.Log, nameof(PulseOptions.Log), failures);
        Check(options.Dedupe, nameof(PulseOptions.Dedupe), failures);
        Check(options.Processing, nameof(PulseOptions.Processing), failures);
        Check(options.Store, nameof(PulseOptions.Store), failures);
        Check(options.Health, nameof(PulseOptions.Health), failures);
        Check(options.Analytics, nameof(PulseOptions.Analytics), failures);
        Check(options.Anomalies, nameof(PulseOptions.Anomalies), failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(object section, string sectionName, List<string> failures)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(section, new ValidationContext(section), results, validateAllProperties: true))
        {
            return;
        }

        string prefix = $"{PulseOptions.SectionName}:{sectionName}:";
        foreach (ValidationResult result in results)
        {
            string message = result.ErrorMessage ?? "invalid value";
            // Attribute messages name the bare property ("The field X must be..."); rules already say the key.
            failures.Add(message.StartsWith(PulseOptions.SectionName + ":", StringComparison.Ordinal)
                ? message
                : $"{prefix}{string.Join(",", result.MemberNames)}: {message}");
        }
    }
}
