using System.Text.Json;
using Pulse.Events;

namespace Pulse.Analytics.Predicates;

/// <summary>
/// A compiled condition on one event: all of its field conditions must hold. Built by
/// <see cref="PredicateParser"/>; identified by <see cref="Canonical"/>, so equal conditions
/// written differently share one bit of a <see cref="PredicateSet"/>.
/// </summary>
public sealed class EventPredicate : IEquatable<EventPredicate>
{
    private const int StackSlots = 16;

    internal EventPredicate(TypeCondition? type, FieldCondition[] fields, NumberCondition[] numbers, PropertyCondition[] properties, string canonical)
    {
        Type = type;
        Fields = fields;
        Numbers = numbers;
        Properties = properties;
        Canonical = canonical;
        var names = new List<byte[]>();
        foreach (PropertyCondition p in properties)
        {
            int i = names.FindIndex(n => n.AsSpan().SequenceEqual(p.Name));
            if (i < 0)
            {
                i = names.Count;
                names.Add(p.Name);
            }

            p.LocalSlot = i;
        }

        PropertyNames = [.. names];
    }

    /// <summary>Compact JSON with sorted keys and normalised operators: the predicate's identity.</summary>
    public string Canonical { get; }

    /// <summary>Whether evaluating it needs the event's properties JSON.</summary>
    public bool NeedsProperties => Properties.Length > 0;

    internal TypeCondition? Type { get; }
    internal FieldCondition[] Fields { get; }
    internal NumberCondition[] Numbers { get; }
    internal PropertyCondition[] Properties { get; }

    /// <summary>The distinct property names the conditions read; <see cref="PropertyCondition.LocalSlot"/> indexes it.</summary>
    internal byte[][] PropertyNames { get; }

    /// <summary>Evaluates this predicate alone (a <see cref="PredicateSet"/> evaluates many with one properties scan).</summary>
    public bool Matches(in EncodedEvent e)
    {
        if (!MatchesWithoutProperties(e))
        {
            return false;
        }

        if (Properties.Length == 0)
        {
            return true;
        }

        Span<PropertySlot> slots = PropertyNames.Length <= StackSlots
            ? stackalloc PropertySlot[StackSlots]
            : new PropertySlot[PropertyNames.Length];
        slots = slots[..PropertyNames.Length];
        ReadOnlySpan<byte> json = e[EventField.Properties];
        PropertyScanner.Scan(json, PropertyNames, slots);
        foreach (PropertyCondition p in Properties)
        {
            if (!p.Matches(json, slots[p.LocalSlot]))
            {
                return false;
            }
        }

        return true;
    }

    public bool Equals(EventPredicate? other) => other is not null && other.Canonical == Canonical;

    public override bool Equals(object? obj) => Equals(obj as EventPredicate);

    public override int GetHashCode() => Canonical.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Canonical;

    /// <summary>Type first (a byte compare for known types), then header numbers, then string fields.</summary>
    internal bool MatchesWithoutProperties(in EncodedEvent e)
    {
        if (Type is not null && !Type.Matches(e))
        {
            return false;
        }

        foreach (NumberCondition n in Numbers)
        {
            if (!n.Matches(e))
            {
                return false;
            }
        }

        foreach (FieldCondition f in Fields)
        {
            if (!f.Matches(e))
            {
                return false;
            }
        }

        return true;
    }

    internal static string BuildCanonical(IEnumerable<Condition> conditions)
    {
        var sorted = new List<Condition>(conditions);
        sorted.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (Condition c in sorted)
            {
                writer.WritePropertyName(c.Key);
                c.WriteCanonicalValue(writer);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
