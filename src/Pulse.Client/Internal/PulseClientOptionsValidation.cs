using Microsoft.Extensions.Options;

namespace Pulse.Client.Internal;

/// <summary>Fails host start with every problem of the bound options, as ASP.NET Core's own options do.</summary>
internal sealed class PulseClientOptionsValidation : IValidateOptions<PulseClientOptions>
{
    public ValidateOptionsResult Validate(string? name, PulseClientOptions options)
    {
        IReadOnlyList<string> problems = options.Problems();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
