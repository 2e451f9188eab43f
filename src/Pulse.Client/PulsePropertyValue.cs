namespace Pulse.Client;

/// <summary>
/// A custom property: a string, a number or a boolean — the kinds the contract allows. A struct,
/// so properties cost no boxing.
/// </summary>
public readonly struct PulsePropertyValue : IEquatable<PulsePropertyValue>
{
    private readonly string? _text;
    private readonly decimal _number;
    private readonly double _floating;

    private PulsePropertyValue(PulsePropertyKind kind, string? text, decimal number, double floating)
    {
        Kind = kind;
        _text = text;
        _number = number;
        _floating = floating;
    }

    /// <summary>Which of string, number or boolean this is.</summary>
    public PulsePropertyKind Kind { get; }

    /// <summary>A string property.</summary>
    public static PulsePropertyValue FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(PulsePropertyKind.String, value, 0, 0);
    }

    /// <summary>An exact number.</summary>
    public static PulsePropertyValue FromDecimal(decimal value) => new(PulsePropertyKind.Decimal, null, value, 0);

    /// <summary>An integer.</summary>
    public static PulsePropertyValue FromInt64(long value) => new(PulsePropertyKind.Decimal, null, value, 0);

    /// <summary>A finite floating-point number.</summary>
    public static PulsePropertyValue FromDouble(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "JSON has no NaN or infinity.");
        }

        return new(PulsePropertyKind.Double, null, 0, value);
    }

    /// <summary>A boolean property.</summary>
    public static PulsePropertyValue FromBoolean(bool value) => new(PulsePropertyKind.Boolean, null, value ? 1 : 0, 0);

    /// <summary>From a <see cref="string"/>.</summary>
    public static implicit operator PulsePropertyValue(string value) => FromString(value);

    /// <summary>From a <see cref="long"/>.</summary>
    public static implicit operator PulsePropertyValue(long value) => FromInt64(value);

    /// <summary>From a <see cref="decimal"/>.</summary>
    public static implicit operator PulsePropertyValue(decimal value) => FromDecimal(value);

    /// <summary>From a <see cref="double"/>.</summary>
    public static implicit operator PulsePropertyValue(double value) => FromDouble(value);

    /// <summary>From a <see cref="bool"/>.</summary>
    public static implicit operator PulsePropertyValue(bool value) => FromBoolean(value);

    /// <summary>Same kind and value.</summary>
    public static bool operator ==(PulsePropertyValue left, PulsePropertyValue right) => left.Equals(right);

    /// <summary>Another kind or value.</summary>
    public static bool operator !=(PulsePropertyValue left, PulsePropertyValue right) => !left.Equals(right);

    internal string Text => _text ?? "";

    internal decimal Number => _number;

    internal double Floating => _floating;

    internal bool Flag => _number != 0;

    /// <inheritdoc/>
    public bool Equals(PulsePropertyValue other) =>
        Kind == other.Kind && string.Equals(_text, other._text, StringComparison.Ordinal) && _number == other._number && _floating.Equals(other._floating);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is PulsePropertyValue other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, _text, _number, _floating);

    /// <summary>The value as JSON would show it, without quotes.</summary>
    public override string ToString() => Kind switch
    {
        PulsePropertyKind.String => Text,
        PulsePropertyKind.Decimal => _number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        PulsePropertyKind.Double => _floating.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => Flag ? "true" : "false",
    };
}

/// <summary>What a <see cref="PulsePropertyValue"/> holds.</summary>
public enum PulsePropertyKind
{
    /// <summary>A JSON string.</summary>
    String,
    /// <summary>An exact number (from an integer or a decimal).</summary>
    Decimal,
    /// <summary>A floating-point number.</summary>
    Double,
    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,
}
