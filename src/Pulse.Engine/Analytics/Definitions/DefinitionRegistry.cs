using Microsoft.Extensions.Logging;
using Pulse.Analytics.Predicates;
using Pulse.Processing;

namespace Pulse.Analytics.Definitions;

/// <summary>What a change of definitions did.</summary>
public enum DefinitionOutcome
{
    Created,
    Updated,
    Deleted,
    Invalid,
    NotFound,
    BuiltIn,
}

/// <summary>
/// The running definitions: the built-ins plus the user's, stored so they survive restarts. A
/// change is validated, stored, compiled into a new catalog and switched to in every partition
/// under its lock: it applies from the next event each partition takes (no backfill in this version).
/// </summary>
public sealed partial class DefinitionRegistry(IReadOnlyList<PartitionState> states, IDefinitionStore store, AnalyticsCatalog current, TimeProvider clock)
{
    private readonly Lock _gate = new();

    public AnalyticsCatalog Current { get; private set; } = current;

    /// <summary>Names a user definition may not take (the built-in metrics of <c>/v1/metrics</c>).</summary>
    public static ISet<string> BuiltInMetricNames { get; } = new HashSet<string>(Query.MetricCatalog.BuiltIn.Select(m => m.Name), StringComparer.Ordinal);

    /// <summary>The built-ins and every stored definition that still compiles (one that does not is logged and skipped).</summary>
    public static AnalyticsCatalog Load(IDefinitionStore store, ILogger logger)
    {
        var definitions = new List<AnalyticsDefinition>(AnalyticsCatalog.BuiltInDefinitions);
        foreach ((string name, string json) in store.LoadDefinitions())
        {
            var errors = new List<DefinitionError>();
            if (AnalyticsDefinition.Parse(name, json, errors) is { } definition && AnalyticsCatalog.Build([.. definitions, definition], null, errors) is not null)
            {
                definitions.Add(definition);
            }
            else
            {
                LogStoredDefinitionSkipped(logger, name, string.Join("; ", errors));
            }
        }

        return AnalyticsCatalog.Build(definitions, null, []) ?? AnalyticsCatalog.BuiltIn();
    }

    public DefinitionOutcome Put(string name, string json, List<DefinitionError> errors)
    {
        lock (_gate)
        {
            AnalyticsDefinition? existing = Current.Find(name);
            if (existing is { BuiltIn: true })
            {
                errors.Add(new DefinitionError("name", $"'{name}' is a built-in definition and cannot be changed; choose another name"));
                return DefinitionOutcome.BuiltIn;
            }

            if (BuiltInMetricNames.Contains(name))
            {
                errors.Add(new DefinitionError("name", $"'{name}' is a built-in metric; choose another name"));
                return DefinitionOutcome.BuiltIn;
            }

            if (AnalyticsDefinition.Parse(name, json, errors) is not { } definition)
            {
                return DefinitionOutcome.Invalid;
            }

            var definitions = new List<AnalyticsDefinition>(Current.Definitions.Count + 1);
            foreach (AnalyticsDefinition d in Current.Definitions)
            {
                if (d.Name != name)
                {
                    definitions.Add(d);
                }
            }

            definitions.Add(definition);
            if (AnalyticsCatalog.Build(definitions, Current, errors) is not { } next)
            {
                return DefinitionOutcome.Invalid;
            }

            store.SaveDefinition(name, definition.Json, clock.GetUtcNow().ToUnixTimeMilliseconds());
            Switch(next);
            return existing is null ? DefinitionOutcome.Created : DefinitionOutcome.Updated;
        }
    }

    public DefinitionOutcome Delete(string name)
    {
        lock (_gate)
        {
            AnalyticsDefinition? existing = Current.Find(name);
            if (existing is null)
            {
                return DefinitionOutcome.NotFound;
            }

            if (existing.BuiltIn)
            {
                return DefinitionOutcome.BuiltIn;
            }

            AnalyticsCatalog next = AnalyticsCatalog.Build([.. Current.Definitions.Where(d => d.Name != name)], Current, [])
                ?? throw new InvalidOperationException("Removing a definition cannot overflow the predicate set.");
            store.DeleteDefinition(name);
            Switch(next);
            return DefinitionOutcome.Deleted;
        }
    }

    private void Switch(AnalyticsCatalog next)
    {
        foreach (PartitionState state in states)
        {
            if (state.Analytics is { } analytics)
            {
                lock (state.Gate)
                {
                    analytics.SwapCatalog(next);
                    state.Metrics?.SwapMetrics(next.Metrics);
                }
            }
        }

        Current = next;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stored definition '{Name}' was not loaded: {Errors}")]
    private static partial void LogStoredDefinitionSkipped(ILogger logger, string name, string errors);
}
