using Pulse.Analytics.Patterns;
using Pulse.Analytics.Predicates;

namespace Pulse.Tests.Analytics.Patterns;

public class PatternDefinitionParserTests
{
    private static List<DefinitionError> Errors(string json, string name = "p")
    {
        var errors = new List<DefinitionError>();
        Assert.Null(PatternDefinitionParser.Parse(name, json, errors));
        Assert.NotEmpty(errors);
        return errors;
    }

    private static DefinitionError Single(string json)
    {
        List<DefinitionError> errors = Errors(json);
        Assert.True(errors.Count == 1, string.Join("; ", errors));
        return errors[0];
    }

    [Fact]
    public void Built_ins_are_written_in_the_language()
    {
        PatternDefinition cart = BuiltInPatterns.CartAbandonment;
        Assert.Equal((PatternKind.Absence, PatternScope.Session, 30 * 60_000L), (cart.Kind, cart.Scope, cart.WithinMs));
        Assert.Equal("""{"kind":"absence","first":{"type":"add_to_cart"},"absent":{"type":"purchase"},"within":"30m","scope":"session"}""", cart.Canonical);
        PatternDefinition burst = BuiltInPatterns.PurchaseBurst;
        Assert.Equal((PatternKind.Count, PatternScope.User, 60_000L, 5), (burst.Kind, burst.Scope, burst.WithinMs, burst.AtLeast));
        Assert.Equal("""{"kind":"count","event":{"type":"purchase"},"at_least":5,"within":"1m","scope":"user"}""", burst.Canonical);
        Assert.Equal(2, BuiltInPatterns.All.Count);
        Assert.Contains("\"description\"", burst.ToJson());
    }

    [Fact]
    public void A_definition_round_trips_through_its_json()
    {
        PatternDefinition d = PatternHarness.Parse("""{"kind": "sequence", "steps": [{"type": "page_view", "page": {"prefix": "/p/"}}, {"type": "checkout"}], "within": "90s", "description": "x"}""");
        PatternDefinition again = PatternHarness.Parse(d.ToJson());
        Assert.Equal(d.Canonical, again.Canonical);
        Assert.Equal(d.Fingerprint, again.Fingerprint);
        Assert.Equal("x", again.Description);
        Assert.NotEqual(d.Fingerprint, PatternHarness.Parse(d.Canonical.Replace("90s", "91s", StringComparison.Ordinal)).Fingerprint);
    }

    [Fact]
    public void Unknown_field_in_a_step_names_its_path_and_the_known_fields()
    {
        DefinitionError e = Single("""{"kind": "sequence", "steps": [{"type": "a"}, {"typ": "b"}], "within": "1m"}""");
        Assert.Equal("steps[1].typ", e.Path);
        Assert.Contains("unknown field 'typ' (did you mean 'type'?) — known fields: type, page,", e.Message);
    }

    [Fact]
    public void Unknown_top_level_field_lists_the_fields_of_that_kind()
    {
        DefinitionError e = Single("""{"kind": "count", "event": {"type": "a"}, "at_least": 3, "withn": "1m", "within": "1m"}""");
        Assert.Equal("withn", e.Path);
        Assert.Contains("did you mean 'within'?", e.Message);
        Assert.Contains("kind, event, at_least, within, scope, description", e.Message);
    }

    [Theory]
    [InlineData("\"30x\"", "\"30x\" is not a duration like 30s, 5m, 1h")]
    [InlineData("\"0s\"", "is not a duration")]
    [InlineData("\"-5m\"", "is not a duration")]
    [InlineData("\"1.5h\"", "is not a duration")]
    [InlineData("60", "the number 60 is not a duration")]
    [InlineData("\"8d\"", "longer than the longest time span, 7d")]
    public void Within_must_be_a_duration(string within, string message)
    {
        DefinitionError e = Single($$"""{"kind": "count", "event": {"type": "a"}, "at_least": 3, "within": {{within}}}""");
        Assert.Equal("within", e.Path);
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("1001")]
    [InlineData("2.5")]
    [InlineData("\"5\"")]
    public void At_least_must_be_between_2_and_1000(string atLeast)
    {
        DefinitionError e = Single($$"""{"kind": "count", "event": {"type": "a"}, "at_least": {{atLeast}}, "within": "1m"}""");
        Assert.Equal("at_least", e.Path);
        Assert.Contains("at_least must be a whole number between 2 and 1000", e.Message);
    }

    [Theory]
    [InlineData("[{\"type\": \"a\"}]", "got 1 steps")]
    [InlineData("[{\"type\": \"a\"}, {\"type\": \"a\"}, {\"type\": \"a\"}, {\"type\": \"a\"}, {\"type\": \"a\"}, {\"type\": \"a\"}, {\"type\": \"a\"}, {\"type\": \"a\"}, {\"type\": \"a\"}]", "got 9 steps")]
    [InlineData("{\"type\": \"a\"}", "got an object")]
    public void A_sequence_needs_2_to_8_steps(string steps, string got)
    {
        DefinitionError e = Single($$"""{"kind": "sequence", "steps": {{steps}}, "within": "1m"}""");
        Assert.Equal("steps", e.Path);
        Assert.Contains("a sequence needs 2 to 8 steps", e.Message);
        Assert.Contains(got, e.Message);
    }

    [Fact]
    public void Kind_is_required_and_checked()
    {
        Assert.Contains("required: one of \"absence\", \"count\", \"sequence\"", Single("""{"within": "1m"}""").Message);
        DefinitionError e = Single("""{"kind": "absense", "within": "1m"}""");
        Assert.Equal("kind", e.Path);
        Assert.Contains("the string \"absense\"", e.Message);
    }

    [Fact]
    public void Missing_parts_say_what_they_are()
    {
        List<DefinitionError> errors = Errors("""{"kind": "absence"}""");
        Assert.Equal(["within", "first", "absent"], errors.ConvertAll(e => e.Path));
        Assert.Contains("the event that must not follow", errors[2].Message);
        Assert.Contains("how many events make a match", Single("""{"kind": "count", "event": {"type": "a"}, "within": "1m"}""").Message);
    }

    [Fact]
    public void Scope_description_name_and_body_are_checked()
    {
        DefinitionError scope = Single("""{"kind": "count", "event": {"type": "a"}, "at_least": 2, "within": "1m", "scope": "visit"}""");
        Assert.Equal("scope", scope.Path);
        Assert.Contains("\"user\"", scope.Message);
        Assert.Equal("description", Single("""{"kind": "count", "event": {"type": "a"}, "at_least": 2, "within": "1m", "description": 3}""").Path);
        Assert.Equal("name", Errors("""{"kind": "count", "event": {"type": "a"}, "at_least": 2, "within": "1m"}""", "Bad Name")[0].Path);
        Assert.Contains("not valid JSON", Errors("{").Single().Message);
        Assert.Contains("is a JSON object", Errors("[]").Single().Message);
    }

    [Fact]
    public void Predicate_mistakes_carry_the_pattern_path()
    {
        DefinitionError e = Single("""{"kind": "absence", "first": {"type": "add_to_cart"}, "absent": {"revenue": {"gte": "x"}}, "within": "30m"}""");
        Assert.Equal("absent.revenue.gte", e.Path);
        Assert.Equal("absent.revenue.gte: must be a number (got the string \"x\")", e.ToString());
    }

    [Fact]
    public void More_than_64_distinct_predicates_in_total_are_refused_and_nothing_is_added()
    {
        var set = new PredicateSet();
        for (int i = 0; i < 31; i++)
        {
            PatternDefinition d = PatternHarness.Parse($$"""{"kind": "absence", "first": {"type": "a{{i}}"}, "absent": {"type": "b{{i}}"}, "within": "1m"}""");
            Assert.NotNull(PatternMatcher.TryCreate(d, set, []));
        }

        Assert.Equal(62, set.Count);
        PatternDefinition big = PatternHarness.Parse("""{"kind": "sequence", "steps": [{"type": "a1"}, {"type": "x"}, {"type": "y"}, {"type": "z"}], "within": "1m"}""");
        var errors = new List<DefinitionError>();
        Assert.Null(PatternMatcher.TryCreate(big, set, errors));
        Assert.Contains("needs 3 new event conditions but only 2 of the 64", Assert.Single(errors).Message);
        Assert.Equal(62, set.Count);
        Assert.NotNull(PatternMatcher.TryCreate(BuiltInPatterns.PurchaseBurst, set, []));
        Assert.Equal(63, set.Count);
    }
}
