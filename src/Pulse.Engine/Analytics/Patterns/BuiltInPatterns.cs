using Pulse.Analytics.Predicates;

namespace Pulse.Analytics.Patterns;

/// <summary>The patterns every Pulse has, written in the same language users write theirs in.</summary>
public static class BuiltInPatterns
{
    public const string CartAbandonmentName = "cart_abandonment";
    public const string PurchaseBurstName = "purchase_burst";

    /// <summary>An add_to_cart with no purchase in the same session within 30 minutes.</summary>
    public const string CartAbandonmentJson =
        """{"kind": "absence", "first": {"type": "add_to_cart"}, "absent": {"type": "purchase"}, "within": "30m", "scope": "session", "description": "add_to_cart with no purchase in the same session within 30 minutes"}""";

    /// <summary>At least 5 purchases by one user within 60 seconds.</summary>
    public const string PurchaseBurstJson =
        """{"kind": "count", "event": {"type": "purchase"}, "at_least": 5, "within": "60s", "description": "at least 5 purchases by one user within 60 seconds"}""";

    public static PatternDefinition CartAbandonment { get; } = Load(CartAbandonmentName, CartAbandonmentJson);

    public static PatternDefinition PurchaseBurst { get; } = Load(PurchaseBurstName, PurchaseBurstJson);

    public static IReadOnlyList<PatternDefinition> All { get; } = [CartAbandonment, PurchaseBurst];

    public static bool IsBuiltIn(string name) => name is CartAbandonmentName or PurchaseBurstName;

    private static PatternDefinition Load(string name, string json)
    {
        var errors = new List<DefinitionError>();
        return PatternDefinitionParser.Parse(name, json, errors)
            ?? throw new InvalidOperationException($"Built-in pattern {name} is invalid: {string.Join("; ", errors)}");
    }
}
