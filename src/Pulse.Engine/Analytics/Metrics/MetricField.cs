using System.Buffers.Text;
using System.Text.Json;
using Pulse.Analytics.Predicates;
using Pulse.Events;

namespace Pulse.Analytics.Metrics;

/// <summary>An event field a user metric reads: a string field, a money or quantity field, or a property.</summary>
public sealed class MetricField
{
    private static readonly (string Name, EventField Field)[] StringFields =
    [
        ("type", EventField.Type), ("user_id", EventField.User), ("session_id", EventField.SessionId), ("page", EventField.Page),
        ("url", EventField.Url), ("referrer", EventField.Referrer), ("product_id", EventField.ProductId), ("currency", EventField.Currency),
        ("order_id", EventField.OrderId), ("country", EventField.Country), ("device", EventField.Device),
    ];

    private readonly EventField? _string;
    private readonly byte[][] _property;

    private MetricField(string name, EventField? stringField, string? number, byte[]? property)
    {
        Name = name;
        _string = stringField;
        NumberName = number;
        _property = property is null ? [] : [property];
    }

    /// <summary>As written in the definition: <c>country</c>, <c>revenue</c>, <c>properties.plan</c>.</summary>
    public string Name { get; }

    /// <summary>price, revenue or quantity (header numbers), else null.</summary>
    private string? NumberName { get; }

    public bool IsProperty => _property.Length > 0;

    /// <summary>Whether the field can be a number (money, quantity, or a property that holds one).</summary>
    public bool CanBeNumber => NumberName is not null || IsProperty;

    /// <summary>Whether the field can be text (a string field, or a property).</summary>
    public bool CanBeText => _string is not null || IsProperty;

    public static string KnownList => "type, user_id, session_id, page, url, referrer, product_id, currency, order_id, country, device, price, revenue, quantity, properties.NAME";

    public static MetricField? Parse(string name, string path, List<DefinitionError> errors)
    {
        foreach ((string n, EventField f) in StringFields)
        {
            if (n == name)
            {
                return new MetricField(name, f, null, null);
            }
        }

        if (name is "price" or "revenue" or "quantity")
        {
            return new MetricField(name, null, name, null);
        }

        const string prefix = "properties.";
        if (name.StartsWith(prefix, StringComparison.Ordinal) && name.Length > prefix.Length && name.Length <= prefix.Length + PredicateParser.MaxPropertyNameBytes)
        {
            return new MetricField(name, null, null, System.Text.Encoding.UTF8.GetBytes(name[prefix.Length..]));
        }

        errors.Add(new DefinitionError(path, $"'{name}' is not an event field — known: {KnownList}"));
        return null;
    }

    /// <summary>The field as a number (money in currency units). False when the event lacks it or it is not a number.</summary>
    public bool TryGetNumber(in EncodedEvent e, out double value)
    {
        EventHeader h = e.Header;
        switch (NumberName)
        {
            case "price":
                value = h.PriceMicros / 1_000_000.0;
                return (h.Flags & EventFlags.HasPrice) != 0;
            case "revenue":
                value = h.RevenueMicros / 1_000_000.0;
                return h.Kind == EventKind.Purchase;
            case "quantity":
                value = h.Quantity;
                return true;
        }

        value = 0;
        if (!IsProperty)
        {
            return false;
        }

        Span<PropertySlot> slot = stackalloc PropertySlot[1];
        PropertyScanner.Scan(e[EventField.Properties], _property, slot);
        value = slot[0].Number;
        return slot[0].Type == PropertyType.Number;
    }

    /// <summary>
    /// The field as UTF-8 text, into <paramref name="scratch"/> when it has to be decoded or
    /// formatted (numbers, booleans, escaped strings). Empty when the event lacks it.
    /// </summary>
    public ReadOnlySpan<byte> GetText(in EncodedEvent e, Span<byte> scratch)
    {
        if (_string is { } field)
        {
            return e[field];
        }

        if (NumberName is not null)
        {
            return TryGetNumber(e, out double n) && Utf8Formatter.TryFormat((decimal)n, scratch, out int written) ? scratch[..written] : default;
        }

        ReadOnlySpan<byte> json = e[EventField.Properties];
        Span<PropertySlot> slots = stackalloc PropertySlot[1];
        PropertyScanner.Scan(json, _property, slots);
        PropertySlot slot = slots[0];
        switch (slot.Type)
        {
            case PropertyType.String when !slot.Escaped:
                return json.Slice(slot.Start, slot.Length);
            case PropertyType.String when slot.Length > scratch.Length:
                return json.Slice(slot.Start, Math.Min(slot.Length, scratch.Length));
            case PropertyType.String:
                var reader = new Utf8JsonReader(json.Slice(slot.Start - 1, slot.Length + 2));
                reader.Read();
                int length = reader.CopyString(scratch);
                return scratch[..length];
            case PropertyType.Number:
                return Utf8Formatter.TryFormat(slot.Number, scratch, out int n2) ? scratch[..n2] : default;
            case PropertyType.True:
                return "true"u8;
            case PropertyType.False:
                return "false"u8;
            default:
                return default;
        }
    }
}
