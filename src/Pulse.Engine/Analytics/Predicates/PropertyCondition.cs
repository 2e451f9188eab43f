using System.Buffers;
using System.Text.Json;

namespace Pulse.Analytics.Predicates;

/// <summary>
/// A condition on one property: string equality, membership or prefix; number equality or
/// comparisons; or boolean equality. A missing property, or one of another JSON type, fails it.
/// </summary>
internal sealed class PropertyCondition : Condition
{
    private const int StackUnescapeBytes = 256;

    private readonly StringMatch? _string;
    private readonly (CompareOp Op, double Value)[]? _numbers;
    private readonly bool? _bool;

    private PropertyCondition(string name, StringMatch? s, (CompareOp, double)[]? numbers, bool? b)
        : base("properties." + name)
    {
        Name = System.Text.Encoding.UTF8.GetBytes(name);
        _string = s;
        _numbers = numbers;
        _bool = b;
    }

    public byte[] Name { get; }

    /// <summary>Index of <see cref="Name"/> in the owning predicate's distinct property names.</summary>
    public int LocalSlot { get; set; }

    public static PropertyCondition ForString(string name, StringMatch match) => new(name, match, null, null);

    public static PropertyCondition ForNumbers(string name, (CompareOp, double)[] comparisons) => new(name, null, comparisons, null);

    public static PropertyCondition ForBool(string name, bool value) => new(name, null, null, value);

    public bool Matches(ReadOnlySpan<byte> json, in PropertySlot slot)
    {
        if (_bool is bool b)
        {
            return slot.Type == (b ? PropertyType.True : PropertyType.False);
        }

        if (_numbers is not null)
        {
            if (slot.Type != PropertyType.Number)
            {
                return false;
            }

            foreach ((CompareOp op, double constant) in _numbers)
            {
                if (!op.Holds(slot.Number, constant))
                {
                    return false;
                }
            }

            return true;
        }

        if (slot.Type != PropertyType.String)
        {
            return false;
        }

        ReadOnlySpan<byte> raw = json.Slice(slot.Start, slot.Length);
        return slot.Escaped ? MatchesEscaped(json.Slice(slot.Start - 1, slot.Length + 2)) : _string!.Matches(raw);
    }

    public override void WriteCanonicalValue(Utf8JsonWriter writer)
    {
        if (_bool is bool b)
        {
            writer.WriteBooleanValue(b);
        }
        else if (_numbers is [(CompareOp.Eq, double only)])
        {
            writer.WriteNumberValue(only);
        }
        else if (_numbers is not null)
        {
            writer.WriteStartObject();
            foreach ((CompareOp op, double constant) in _numbers)
            {
                writer.WriteNumber(op.Name(), constant);
            }

            writer.WriteEndObject();
        }
        else
        {
            _string!.WriteCanonical(writer);
        }
    }

    /// <summary>Rare path (a value with JSON escapes): unescape into stack or pooled memory, never the heap.</summary>
    private bool MatchesEscaped(ReadOnlySpan<byte> quoted)
    {
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        byte[]? rented = null;
        Span<byte> buffer = quoted.Length <= StackUnescapeBytes
            ? stackalloc byte[StackUnescapeBytes]
            : (rented = ArrayPool<byte>.Shared.Rent(quoted.Length));
        try
        {
            int n = reader.CopyString(buffer);
            return _string!.Matches(buffer[..n]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
