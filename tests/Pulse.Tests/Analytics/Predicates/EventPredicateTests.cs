using static Pulse.Tests.Analytics.Predicates.PredicateHarness;

namespace Pulse.Tests.Analytics.Predicates;

public class EventPredicateTests
{
    [Theory]
    [InlineData("""{"type": "add_to_cart"}""", """ "type": "add_to_cart" """, true)]
    [InlineData("""{"type": "add_to_cart"}""", """ "type": "purchase" """, false)]
    [InlineData("""{"type": "signup"}""", """ "type": "signup" """, true)]
    [InlineData("""{"type": "signup"}""", """ "type": "signups" """, false)]
    [InlineData("""{"type": {"in": ["purchase", "signup"]}}""", """ "type": "signup" """, true)]
    [InlineData("""{"type": {"in": ["purchase", "signup"]}}""", """ "type": "purchase" """, true)]
    [InlineData("""{"type": {"in": ["purchase", "signup"]}}""", """ "type": "checkout" """, false)]
    [InlineData("""{"type": {"prefix": "page"}}""", """ "type": "page_view" """, true)]
    [InlineData("""{"type": {"prefix": "page"}}""", """ "type": "pagez" """, true)]
    [InlineData("""{"type": {"prefix": "page"}}""", """ "type": "click" """, false)]
    public void Type_equality_membership_and_prefix_cover_known_and_custom_types(string predicate, string fields, bool expected) =>
        Assert.Equal(expected, Matches(predicate, fields));

    [Theory]
    [InlineData("""{"type": "page_view", "page": {"prefix": "/product/"}}""", """ "type": "page_view", "page": "/product/42" """, true)]
    [InlineData("""{"type": "page_view", "page": {"prefix": "/product/"}}""", """ "type": "page_view", "page": "/cart" """, false)]
    [InlineData("""{"type": "page_view", "page": {"prefix": "/product/"}}""", """ "type": "click", "page": "/product/42" """, false)]
    [InlineData("""{"page": "/cart"}""", """ "type": "click" """, false)]
    [InlineData("""{"country": {"in": ["US", "CA"]}}""", """ "type": "click", "country": "CA" """, true)]
    [InlineData("""{"country": {"in": ["US", "CA"]}}""", """ "type": "click", "country": "DE" """, false)]
    [InlineData("""{"device": "mobile", "referrer": "https://x.test/"}""", """ "type": "click", "device": "mobile", "referrer": "https://x.test/" """, true)]
    [InlineData("""{"device": "mobile", "referrer": "https://x.test/"}""", """ "type": "click", "device": "mobile" """, false)]
    [InlineData("""{"product_id": "p1", "currency": "EUR", "order_id": {"eq": "o9"}}""", """ "type": "purchase", "product_id": "p1", "currency": "EUR", "order_id": "o9" """, true)]
    [InlineData("""{"url": {"prefix": "https://shop"}}""", """ "type": "page_view", "url": "https://shop.test/a" """, true)]
    public void String_fields_compare_their_bytes_and_an_absent_field_matches_nothing(string predicate, string fields, bool expected) =>
        Assert.Equal(expected, Matches(predicate, fields));

    [Theory]
    [InlineData("""{"type": "purchase", "revenue": {"gte": 100}}""", """ "type": "purchase", "revenue": 100 """, true)]
    [InlineData("""{"type": "purchase", "revenue": {"gte": 100}}""", """ "type": "purchase", "revenue": 99.999999 """, false)]
    [InlineData("""{"revenue": {"gt": 100}}""", """ "type": "purchase", "revenue": 100 """, false)]
    [InlineData("""{"revenue": {"gt": 100}}""", """ "type": "purchase", "price": 60, "quantity": 2 """, true)]
    [InlineData("""{"revenue": {"lt": 10}}""", """ "type": "page_view" """, false)]
    [InlineData("""{"revenue": 12.5}""", """ "type": "purchase", "revenue": 12.5 """, true)]
    [InlineData("""{"revenue": {"eq": 12.5}}""", """ "type": "purchase", "revenue": 12.51 """, false)]
    [InlineData("""{"price": {"gt": 5, "lte": 10}}""", """ "type": "add_to_cart", "price": 10 """, true)]
    [InlineData("""{"price": {"gt": 5, "lte": 10}}""", """ "type": "add_to_cart", "price": 5 """, false)]
    [InlineData("""{"price": {"lt": 1}}""", """ "type": "add_to_cart" """, false)]
    [InlineData("""{"quantity": {"gte": 3}}""", """ "type": "add_to_cart", "quantity": 3 """, true)]
    [InlineData("""{"quantity": {"gte": 3}}""", """ "type": "add_to_cart" """, false)]
    [InlineData("""{"quantity": 1}""", """ "type": "add_to_cart" """, true)]
    [InlineData("""{"quantity": {"lt": 2}}""", """ "type": "add_to_cart", "quantity": 2 """, false)]
    public void Numbers_compare_exactly_with_every_operator(string predicate, string fields, bool expected) =>
        Assert.Equal(expected, Matches(predicate, fields));

    [Theory]
    [InlineData("""{"properties.plan": "pro"}""", """ "type": "signup", "properties": {"plan": "pro"} """, true)]
    [InlineData("""{"properties.plan": "pro"}""", """ "type": "signup", "properties": {"plan": "pros"} """, false)]
    [InlineData("""{"properties.plan": "pro"}""", """ "type": "signup", "properties": {"other": "pro"} """, false)]
    [InlineData("""{"properties.plan": "pro"}""", """ "type": "signup" """, false)]
    [InlineData("""{"properties.plan": "pro"}""", """ "type": "signup", "properties": {"plan": 1} """, false)]
    [InlineData("""{"properties": {"plan": {"in": ["pro", "team"]}}}""", """ "type": "signup", "properties": {"plan": "team"} """, true)]
    [InlineData("""{"properties.plan": {"prefix": "pr"}}""", """ "type": "signup", "properties": {"a": 1, "plan": "pro"} """, true)]
    [InlineData("""{"properties.items": {"gt": 3}}""", """ "type": "checkout", "properties": {"items": 4} """, true)]
    [InlineData("""{"properties.items": {"gt": 3}}""", """ "type": "checkout", "properties": {"items": 3} """, false)]
    [InlineData("""{"properties.items": {"gt": 3}}""", """ "type": "checkout", "properties": {"items": "4"} """, false)]
    [InlineData("""{"properties.items": {"gte": 2, "lt": 2.5}}""", """ "type": "checkout", "properties": {"items": 2.25} """, true)]
    [InlineData("""{"properties.items": 3}""", """ "type": "checkout", "properties": {"items": 3.0} """, true)]
    [InlineData("""{"properties.items": {"lte": -1}}""", """ "type": "checkout", "properties": {"items": -1e0} """, true)]
    [InlineData("""{"properties.trial": true}""", """ "type": "signup", "properties": {"trial": true} """, true)]
    [InlineData("""{"properties.trial": true}""", """ "type": "signup", "properties": {"trial": false} """, false)]
    [InlineData("""{"properties.trial": {"eq": false}}""", """ "type": "signup", "properties": {"trial": false} """, true)]
    [InlineData("""{"properties.trial": false}""", """ "type": "signup", "properties": {"trial": "false"} """, false)]
    [InlineData("""{"properties.city": "Zürich \"Nord\""}""", """ "type": "signup", "properties": {"city": "Z\u00fcrich \"Nord\""} """, true)]
    [InlineData("""{"properties.city": {"prefix": "Zü"}}""", """ "type": "signup", "properties": {"city": "Z\u00fcrich"} """, true)]
    [InlineData("""{"properties.pl\u0061n": "pro"}""", """ "type": "signup", "properties": {"pl\u0061n": "pro"} """, true)]
    [InlineData("""{"type": "signup", "properties.plan": "pro", "properties.seats": {"gte": 5}}""", """ "type": "signup", "properties": {"seats": 5, "plan": "pro"} """, true)]
    [InlineData("""{"type": "signup", "properties.plan": "pro", "properties.seats": {"gte": 5}}""", """ "type": "signup", "properties": {"seats": 4, "plan": "pro"} """, false)]
    public void Properties_compare_strings_numbers_and_booleans_and_a_missing_one_fails(string predicate, string fields, bool expected) =>
        Assert.Equal(expected, Matches(predicate, fields));

    [Fact]
    public void Equal_conditions_written_differently_have_one_canonical_form()
    {
        string a = Compile("""{"page": {"in": ["/b", "/a", "/b"]}, "type": "page_view", "price": {"lt": 2.50, "gte": 1}}""").Canonical;
        string b = Compile("""{"type": {"eq": "page_view"}, "price": {"gte": 1.0, "lt": 2.5}, "page": {"in": ["/a", "/b"]}}""").Canonical;
        Assert.Equal(a, b);
        Assert.Equal("""{"page":{"in":["/a","/b"]},"price":{"gte":1,"lt":2.5},"type":"page_view"}""", a);
        Assert.Equal(Compile("""{"properties": {"plan": "pro"}}""").Canonical, Compile("""{"properties.plan": {"in": ["pro"]}}""").Canonical);
        Assert.NotEqual(Compile("""{"properties.n": 1}""").Canonical, Compile("""{"properties.n": "1"}""").Canonical);
    }
}
