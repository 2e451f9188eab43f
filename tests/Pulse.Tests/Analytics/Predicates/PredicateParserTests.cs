using Pulse.Analytics.Predicates;
using static Pulse.Tests.Analytics.Predicates.PredicateHarness;

namespace Pulse.Tests.Analytics.Predicates;

public class PredicateParserTests
{
    private static DefinitionError Single(string json)
    {
        List<DefinitionError> errors = Errors(json);
        Assert.Single(errors);
        return errors[0];
    }

    [Fact]
    public void Unknown_field_names_the_field_a_likely_fix_and_the_known_fields()
    {
        DefinitionError e = Single("""{"typ": "purchase"}""");
        Assert.Equal("typ", e.Path);
        Assert.Contains("unknown field 'typ'", e.Message);
        Assert.Contains("did you mean 'type'?", e.Message);
        Assert.Contains("known fields: type, page, url", e.Message);
    }

    [Fact]
    public void Not_an_object_or_empty_is_explained()
    {
        Assert.Contains("must be a JSON object", Single("\"purchase\"").Message);
        Assert.Contains("at least one field", Single("{}").Message);
    }

    [Fact]
    public void Type_that_can_never_match_is_rejected()
    {
        DefinitionError e = Single("""{"type": "Add To Cart"}""");
        Assert.Equal("type", e.Path);
        Assert.Contains("lower-case", e.Message);
    }

    [Fact]
    public void String_field_mistakes_name_the_operator_path()
    {
        Assert.Equal("page.pre", Single("""{"page": {"pre": "/a"}}""").Path);
        Assert.Contains("use \"in\", \"prefix\" or \"eq\"", Single("""{"page": {"pre": "/a"}}""").Message);
        Assert.Contains("must be a string", Single("""{"page": 3}""").Message);
        Assert.Contains("must not be empty", Single("""{"page": ""}""").Message);
        Assert.Equal("country.in[1]", Single("""{"country": {"in": ["US", 3]}}""").Path);
        Assert.Contains("non-empty array", Single("""{"country": {"in": []}}""").Message);
        Assert.Contains("exactly one", Single("""{"page": {"in": ["/a"], "prefix": "/"}}""").Message);
    }

    [Fact]
    public void Number_mistakes_name_the_operator_path()
    {
        DefinitionError op = Single("""{"revenue": {"gtee": 100}}""");
        Assert.Equal("revenue.gtee", op.Path);
        Assert.Contains("use eq, gt, gte, lt or lte", op.Message);
        Assert.Contains("must be a number", Single("""{"revenue": {"gte": "100"}}""").Message);
        Assert.Contains("6 decimal places", Single("""{"price": 0.0000001}""").Message);
        Assert.Contains("whole number", Single("""{"quantity": {"gt": 1.5}}""").Message);
        Assert.Contains("comparisons such as", Single("""{"price": "10"}""").Message);
    }

    [Fact]
    public void Property_mistakes_are_explained()
    {
        Assert.Contains("needs a name", Single("""{"properties.": "x"}""").Message);
        DefinitionError nested = Single("""{"properties": {"plan": null}}""");
        Assert.Equal("properties.plan", nested.Path);
        Assert.Contains("string, number or boolean", nested.Message);
        Assert.Contains("duplicate field 'properties.plan'", Single("""{"properties.plan": "a", "properties": {"plan": "b"}}""").Message);
        Assert.Contains("stands alone", Single("""{"properties.plan": {"eq": "a", "gt": 1}}""").Message);
    }

    [Fact]
    public void Every_mistake_is_reported_not_only_the_first()
    {
        List<DefinitionError> errors = Errors("""{"typ": "a", "page": 1, "revenue": {"x": 1}}""");
        Assert.Equal(["typ", "page", "revenue.x"], errors.ConvertAll(e => e.Path));
    }
}
