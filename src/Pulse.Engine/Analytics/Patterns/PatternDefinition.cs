using Pulse.Analytics.Predicates;

namespace Pulse.Analytics.Patterns;

/// <summary>A validated pattern, as <see cref="PatternDefinitionParser"/> produces it; compile it with <see cref="PatternMatcher.TryCreate"/>.</summary>
public sealed class PatternDefinition
{
    internal PatternDefinition(string name, PatternKind kind, PatternScope scope, long withinMs, int atLeast, EventPredicate[] predicates, string? description)
    {
        Name = name;
        Kind = kind;
        Scope = scope;
        WithinMs = withinMs;
        AtLeast = atLeast;
        Predicates = predicates;
        Description = description;
        Canonical = PatternDefinitionParser.WriteJson(this, includeDescription: false);
        Fingerprint = Pulse.Events.Hash64.Compute(System.Text.Encoding.UTF8.GetBytes(Canonical));
    }

    public string Name { get; }
    public PatternKind Kind { get; }
    public PatternScope Scope { get; }

    /// <summary>The time span of the pattern, milliseconds (inclusive: events exactly this far apart are within it).</summary>
    public long WithinMs { get; }

    /// <summary>For <see cref="PatternKind.Count"/>: the number of events that make a match; 0 otherwise.</summary>
    public int AtLeast { get; }

    /// <summary>Absence: [first, absent]; count: [event]; sequence: the steps in order.</summary>
    public IReadOnlyList<EventPredicate> Predicates { get; }

    public string? Description { get; }

    /// <summary>Compact JSON of everything that decides matches (not the description).</summary>
    public string Canonical { get; }

    /// <summary>Hash of <see cref="Canonical"/>: saved pattern state is only restored into a matcher of the same definition.</summary>
    public ulong Fingerprint { get; }

    /// <summary>The definition as JSON in the language's own form (with its description), e.g. for <c>GET /v1/definitions</c>.</summary>
    public string ToJson() => PatternDefinitionParser.WriteJson(this, includeDescription: true);

    public override string ToString() => $"{Name}: {Canonical}";
}
