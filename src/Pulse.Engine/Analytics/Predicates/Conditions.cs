using System.Text.Json;
using Pulse.Events;

namespace Pulse.Analytics.Predicates;

/// <summary>One field's condition within a predicate; every key of a predicate compiles to exactly one.</summary>
internal abstract class Condition(string key)
{
    /// <summary>The field as written in a definition (<c>page</c>, <c>properties.plan</c>): the canonical form's key.</summary>
    public string Key { get; } = key;

    public abstract void WriteCanonicalValue(Utf8JsonWriter writer);
}

/// <summary>
/// The event type: known types compare the header's <see cref="EventKind"/> through a bit mask,
/// so only custom types ever touch the type's bytes.
/// </summary>
internal sealed class TypeCondition : Condition
{
    public static readonly string?[] KindNames =
        [null, "page_view", "click", "add_to_cart", "remove_from_cart", "checkout", "purchase", "session_start", "session_end"];

    public TypeCondition(StringMatch match)
        : base("type")
    {
        Match = match;
        for (int k = 1; k < KindNames.Length; k++)
        {
            if (match.Matches(System.Text.Encoding.UTF8.GetBytes(KindNames[k]!)))
            {
                KnownKinds |= (ushort)(1 << k);
            }
        }

        foreach (byte[] v in match.Values)
        {
            if (EventKinds.FromName(v) == EventKind.Custom)
            {
                MatchesCustom = true;
            }
        }

        MatchesCustom |= match.Prefix is not null;
    }

    public StringMatch Match { get; }

    /// <summary>Bit k set when events of known kind k satisfy the condition.</summary>
    public ushort KnownKinds { get; }

    /// <summary>Whether some custom type may satisfy it (then the type's bytes are compared).</summary>
    public bool MatchesCustom { get; }

    public bool Matches(in EncodedEvent e)
    {
        EventKind kind = e.Header.Kind;
        return kind == EventKind.Custom
            ? MatchesCustom && Match.Matches(e[EventField.Type])
            : (int)kind < 16 && (KnownKinds & (1 << (int)kind)) != 0;
    }

    public override void WriteCanonicalValue(Utf8JsonWriter writer) => Match.WriteCanonical(writer);
}

/// <summary>A string field of the event other than its type; an absent field matches nothing.</summary>
internal sealed class FieldCondition(string key, EventField field, StringMatch match) : Condition(key)
{
    public bool Matches(in EncodedEvent e) => match.Matches(e[field]);

    public override void WriteCanonicalValue(Utf8JsonWriter writer) => match.WriteCanonical(writer);
}

internal enum NumberField : byte
{
    Price,
    Revenue,
    Quantity,
}

/// <summary>
/// Comparisons on a header number. Price and revenue are in micro-units; price holds only when the
/// event carried one, revenue only on purchases (where it is <c>revenue</c> or <c>price * quantity</c>).
/// </summary>
internal sealed class NumberCondition(string key, NumberField field, (CompareOp Op, long Value)[] comparisons) : Condition(key)
{
    public bool Matches(in EncodedEvent e)
    {
        EventHeader h = e.Header;
        long value;
        switch (field)
        {
            case NumberField.Price when (h.Flags & EventFlags.HasPrice) != 0:
                value = h.PriceMicros;
                break;
            case NumberField.Revenue when h.Kind == EventKind.Purchase:
                value = h.RevenueMicros;
                break;
            case NumberField.Quantity:
                value = h.Quantity;
                break;
            default:
                return false;
        }

        foreach ((CompareOp op, long constant) in comparisons)
        {
            if (!op.Holds(value, constant))
            {
                return false;
            }
        }

        return true;
    }

    public override void WriteCanonicalValue(Utf8JsonWriter writer)
    {
        if (comparisons is [(CompareOp.Eq, long only)])
        {
            WriteNumber(writer, only);
            return;
        }

        writer.WriteStartObject();
        foreach ((CompareOp op, long constant) in comparisons)
        {
            writer.WritePropertyName(op.Name());
            WriteNumber(writer, constant);
        }

        writer.WriteEndObject();
    }

    private void WriteNumber(Utf8JsonWriter writer, long value)
    {
        if (field == NumberField.Quantity)
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteRawValue(MoneyText.Format(value));
        }
    }
}

internal static class MoneyText
{
    public const long MicrosPerUnit = 1_000_000;

    public static string Format(long micros)
    {
        decimal units = micros / (decimal)MicrosPerUnit;

        // Dividing by 1.000…0 drops the trailing zeros decimal keeps from the division's scale.
        return (units / 1.000000000000000000000000000m).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
