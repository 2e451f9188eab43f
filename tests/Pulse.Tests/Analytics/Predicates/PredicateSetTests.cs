using Pulse.Analytics.Predicates;
using Pulse.Events;
using Pulse.Ingest;
using static Pulse.Tests.Analytics.Predicates.PredicateHarness;

namespace Pulse.Tests.Analytics.Predicates;

public class PredicateSetTests
{
    [Fact]
    public void Equal_predicates_share_a_bit_and_bits_are_stable()
    {
        var set = new PredicateSet();
        int purchase = set.Add(Compile("""{"type": "purchase"}"""));
        int cart = set.Add(Compile("""{"type": "add_to_cart"}"""));
        Assert.Equal(purchase, set.Add(Compile("""{"type": {"in": ["purchase"]}}""")));
        Assert.Equal(2, set.Count);
        Assert.Equal(cart, set.IndexOf(Compile("""{"type":"add_to_cart"}""")));
        Assert.Equal(-1, set.IndexOf(Compile("""{"type": "checkout"}""")));
        Assert.Equal(1, set.CountMissing([Compile("""{"type": "purchase"}"""), Compile("""{"type": "checkout"}"""), Compile("""{"type": "checkout"}""")]));
    }

    [Fact]
    public void Holds_at_most_64_predicates()
    {
        var set = new PredicateSet();
        for (int i = 0; i < PredicateSet.Capacity; i++)
        {
            Assert.Equal(i, set.Add(Compile($$"""{"type": "t{{i}}"}""")));
        }

        Assert.False(set.TryAdd(Compile("""{"type": "one_more"}"""), out int bit));
        Assert.Equal(-1, bit);
        Assert.True(set.TryAdd(Compile("""{"type": "t5"}"""), out bit));
        Assert.Equal(5, bit);
        Assert.Throws<InvalidOperationException>(() => set.Add(Compile("""{"type": "one_more"}""")));
    }

    [Fact]
    public void Evaluate_sets_exactly_the_bits_each_predicate_alone_would()
    {
        string[] predicates =
        [
            """{"type": "purchase"}""",
            """{"type": "purchase", "revenue": {"gte": 100}}""",
            """{"type": "page_view", "page": {"prefix": "/product/"}}""",
            """{"properties.plan": "pro"}""",
            """{"properties.items": {"gt": 3}, "type": "checkout"}""",
            """{"country": {"in": ["US", "CA"]}, "properties.plan": {"prefix": "p"}}""",
            """{"type": {"prefix": "sign"}}""",
            """{"quantity": {"gte": 2}}""",
        ];
        var set = new PredicateSet();
        var compiled = new List<EventPredicate>();
        foreach (string p in predicates)
        {
            compiled.Add(Compile(p));
            set.Add(compiled[^1]);
        }

        var random = new Random(42);
        string[] types = ["purchase", "page_view", "checkout", "signup", "add_to_cart", "custom_x"];
        string[] pages = ["/product/1", "/", "/cart"];
        string[] plans = ["pro", "plus", "free"];
        string[] countries = ["US", "DE", "CA"];
        var lines = new List<string>();
        for (int i = 0; i < 300; i++)
        {
            string line = $"\"type\": \"{types[random.Next(types.Length)]}\", \"page\": \"{pages[random.Next(pages.Length)]}\", \"country\": \"{countries[random.Next(countries.Length)]}\"";
            line += random.Next(2) == 0 ? $", \"revenue\": {random.Next(200)}" : $", \"price\": {random.Next(50)}, \"quantity\": {random.Next(1, 4)}";
            if (random.Next(3) > 0)
            {
                line += $", \"properties\": {{\"items\": {random.Next(6)}, \"plan\": \"{plans[random.Next(plans.Length)]}\"}}";
            }

            lines.Add(line);
        }

        using EventBatch batch = Parse([.. lines]);
        int set1 = 0;
        for (int i = 0; i < batch.Count; i++)
        {
            var e = new EncodedEvent(batch.GetPayload(i));
            ulong bits = set.Evaluate(e);
            for (int b = 0; b < compiled.Count; b++)
            {
                Assert.Equal(compiled[b].Matches(e), (bits & (1UL << b)) != 0);
            }

            set1 += System.Numerics.BitOperations.PopCount(bits);
        }

        Assert.InRange(set1, 100, 1500);
    }

    [Fact]
    public void Evaluate_does_not_allocate()
    {
        var set = new PredicateSet();
        set.Add(Compile("""{"type": "purchase", "revenue": {"gte": 1}}"""));
        set.Add(Compile("""{"type": "signup", "properties.plan": "pro", "properties.city": {"prefix": "Zü"}}"""));
        set.Add(Compile("""{"page": {"in": ["/a", "/b"]}}"""));
        using EventBatch batch = Parse(
            """ "type": "signup", "page": "/a", "properties": {"plan": "pro", "city": "Z\u00fcrich"} """,
            """ "type": "purchase", "revenue": 3 """);
        ulong sink = 0;
        for (int i = 0; i < 100; i++)
        {
            sink |= set.Evaluate(new EncodedEvent(batch.GetPayload(i % 2)));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            sink |= set.Evaluate(new EncodedEvent(batch.GetPayload(i % 2)));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0b111UL, sink);
    }
}
