using System.Runtime.CompilerServices;

namespace Pulse.Processing.Aggregation;

/// <summary>
/// One cell of a cuboid inside a bucket: the cuboid's mask plus the dictionary ids of the dimensions
/// in it (dimensions outside the mask are 0). Ints, not strings, so the hot path hashes 24 bytes.
/// </summary>
public readonly struct CellKey : IEquatable<CellKey>
{
    public readonly Dimension Mask;
    public readonly int Type;
    public readonly int Page;
    public readonly int Product;
    public readonly int Country;
    public readonly int Device;

    public CellKey(Dimension mask, int type, int page, int product, int country, int device)
    {
        Mask = mask;
        Type = (mask & Dimension.Type) != 0 ? type : 0;
        Page = (mask & Dimension.Page) != 0 ? page : 0;
        Product = (mask & Dimension.Product) != 0 ? product : 0;
        Country = (mask & Dimension.Country) != 0 ? country : 0;
        Device = (mask & Dimension.Device) != 0 ? device : 0;
    }

    public int Get(Dimension dimension) => dimension switch
    {
        Dimension.Type => Type,
        Dimension.Page => Page,
        Dimension.Product => Product,
        Dimension.Country => Country,
        Dimension.Device => Device,
        _ => 0,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Equals(CellKey other) =>
        Mask == other.Mask && Type == other.Type && Page == other.Page && Product == other.Product
        && Country == other.Country && Device == other.Device;

    public override bool Equals(object? obj) => obj is CellKey other && Equals(other);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override int GetHashCode()
    {
        // Multiplicative mixing: cheaper than HashCode.Combine and good enough for small dense ids.
        ulong h = (ulong)(byte)Mask;
        h = (h * 0x9E3779B97F4A7C15UL) ^ (uint)Type;
        h = (h * 0x9E3779B97F4A7C15UL) ^ (uint)Page;
        h = (h * 0x9E3779B97F4A7C15UL) ^ (uint)Product;
        h = (h * 0x9E3779B97F4A7C15UL) ^ (uint)Country;
        h = (h * 0x9E3779B97F4A7C15UL) ^ (uint)Device;
        return (int)(h ^ (h >> 32));
    }

    public static bool operator ==(CellKey left, CellKey right) => left.Equals(right);

    public static bool operator !=(CellKey left, CellKey right) => !left.Equals(right);
}
