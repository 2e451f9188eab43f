namespace Pulse.Analytics.Predicates;

/// <summary>A numeric comparison of an event's value against a condition's constant.</summary>
internal enum CompareOp : byte
{
    Eq,
    Gt,
    Gte,
    Lt,
    Lte,
}

internal static class CompareOps
{
    public static readonly string[] Names = ["eq", "gt", "gte", "lt", "lte"];

    public static bool TryParse(string name, out CompareOp op)
    {
        int i = Array.IndexOf(Names, name);
        op = (CompareOp)Math.Max(i, 0);
        return i >= 0;
    }

    public static string Name(this CompareOp op) => Names[(int)op];

    public static bool Holds<T>(this CompareOp op, T value, T constant)
        where T : IComparable<T>
    {
        int c = value.CompareTo(constant);
        return op switch
        {
            CompareOp.Eq => c == 0,
            CompareOp.Gt => c > 0,
            CompareOp.Gte => c >= 0,
            CompareOp.Lt => c < 0,
            _ => c <= 0,
        };
    }
}
