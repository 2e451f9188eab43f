using Pulse.Analytics;
using Pulse.Analytics.Patterns;
using Pulse.Analytics.Predicates;
using Pulse.Events;

namespace Pulse.Tests.Analytics.Patterns;

/// <summary>Drives one matcher for one user with hand-built events; predicates are named by their index in the definition.</summary>
internal sealed class PatternHarness
{
    public const long Min = 60_000;
    public const long T0 = 1_700_000_000_000;

    private long _offset;

    private PatternHarness(PatternDefinition definition)
    {
        Set = new PredicateSet();
        Matcher = PatternMatcher.Create(definition, Set);
        State = Matcher.NewState();
    }

    public PredicateSet Set { get; }
    public PatternMatcher Matcher { get; }
    public PatternState State { get; set; }
    public List<PatternMatch> Matches { get; } = [];

    public static PatternHarness For(PatternDefinition definition) => new(definition);

    public static PatternHarness For(string json) => new(Parse(json));

    public static PatternDefinition Parse(string json, string name = "p")
    {
        var errors = new List<DefinitionError>();
        PatternDefinition? d = PatternDefinitionParser.Parse(name, json, errors);
        Assert.True(d is not null, string.Join("; ", errors));
        return d;
    }

    /// <summary>An event at <paramref name="t"/> (relative to T0) in the session starting at <paramref name="session"/> (relative) satisfying the given predicates.</summary>
    public void Event(long t, long session, params int[] predicates)
    {
        ulong bits = 0;
        foreach (int p in predicates)
        {
            bits |= 1UL << Set.IndexOf(Matcher.Definition.Predicates[p]);
        }

        var e = new UserEvent(T0 + t, _offset++, EventKind.Custom, 1, 7, 9, 0, 0, 1_000_000, bits, T0 + session);
        Matcher.OnEvent(State, e, Matches);
    }

    public void Watermark(long t) => Matcher.OnWatermark(State, T0 + t, Matches);

    public void SessionEnd(long start, long end) => Matcher.OnSessionEnd(State, T0 + start, T0 + end, Matches);

    /// <summary>Match times relative to T0.</summary>
    public long[] Times() => Matches.ConvertAll(m => m.TimeMs - T0).ToArray();
}
