using Pulse.Analytics.Predicates;
using Pulse.Events;
using Pulse.Ingest;
using Pulse.Tests.Processing;

namespace Pulse.Tests.Analytics.Predicates;

/// <summary>Encodes events through the real ingest parser and evaluates predicates on them.</summary>
internal static class PredicateHarness
{
    private const long Now = 1_700_000_000_000;

    public static EventPredicate Compile(string json)
    {
        var errors = new List<DefinitionError>();
        EventPredicate? p = PredicateParser.Parse(json, errors);
        Assert.True(p is not null, string.Join("; ", errors));
        return p;
    }

    public static List<DefinitionError> Errors(string json)
    {
        var errors = new List<DefinitionError>();
        Assert.Null(PredicateParser.Parse(json, errors));
        Assert.NotEmpty(errors);
        return errors;
    }

    /// <summary>Whether <paramref name="predicate"/> holds for the event written as JSON fields (without braces).</summary>
    public static bool Matches(string predicate, string eventFields)
    {
        EventPredicate p = Compile(predicate);
        using EventBatch batch = Parse(eventFields);
        var e = new EncodedEvent(batch.GetPayload(0));
        bool alone = p.Matches(e);
        var set = new PredicateSet();
        set.Add(Compile("""{"type": "never_sent"}"""));
        int bit = set.Add(p);
        Assert.Equal(alone, (set.Evaluate(e) & (1UL << bit)) != 0);
        return alone;
    }

    public static EventBatch Parse(params string[] eventFields)
    {
        var lines = new string[eventFields.Length];
        for (int i = 0; i < lines.Length; i++)
        {
            lines[i] = $$"""{"timestamp": {{Now - 1000}}, "user_id": "u1", {{eventFields[i]}}}""";
        }

        return TestEvents.Parse(Now, lines);
    }
}
