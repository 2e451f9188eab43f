namespace Pulse.Processing.Aggregation;

/// <summary>The dimensions events are grouped and filtered by; a set of them is a cuboid's mask.</summary>
[Flags]
public enum Dimension : byte
{
    None = 0,
    Type = 1,
    Page = 2,
    Product = 4,
    Country = 8,
    Device = 16,
    All = Type | Page | Product | Country | Device,
}

public static class Dimensions
{
    public static ReadOnlySpan<Dimension> Each => [Dimension.Type, Dimension.Page, Dimension.Product, Dimension.Country, Dimension.Device];

    /// <summary>The public (contract) name of a dimension.</summary>
    public static string Name(this Dimension dimension) => dimension switch
    {
        Dimension.Type => "type",
        Dimension.Page => "page",
        Dimension.Product => "product_id",
        Dimension.Country => "country",
        Dimension.Device => "device",
        _ => throw new ArgumentOutOfRangeException(nameof(dimension)),
    };

    public static bool TryParse(ReadOnlySpan<char> name, out Dimension dimension)
    {
        dimension = name switch
        {
            "type" => Dimension.Type,
            "page" => Dimension.Page,
            "product_id" => Dimension.Product,
            "country" => Dimension.Country,
            "device" => Dimension.Device,
            _ => Dimension.None,
        };
        return dimension != Dimension.None;
    }

    public static int CountOf(Dimension set) => System.Numerics.BitOperations.PopCount((uint)set);
}
