namespace Pulse.Processing.Aggregation;

/// <summary>
/// Which dimension combinations are materialised at each resolution. A query is answered by the
/// smallest cuboid whose mask covers its group-by and filter dimensions. Per-second state keeps only
/// the type breakdown so a second of traffic stays small; the full five-dimension cuboid at minute
/// resolution and above makes every group-by and filter exact (and top-N exact).
/// </summary>
public static class Cuboids
{
    private const Dimension TypePage = Dimension.Type | Dimension.Page;
    private const Dimension TypeProduct = Dimension.Type | Dimension.Product;
    private const Dimension UniqueDims = Dimension.Type | Dimension.Page | Dimension.Country | Dimension.Device;

    private static readonly Dimension[][] CountMasks =
    [
        [Dimension.Type],
        [Dimension.Type, TypePage, TypeProduct, Dimension.All],
        [Dimension.Type, Dimension.All],
        [Dimension.Type, Dimension.All],
    ];

    private static readonly Dimension[][] UniqueMasks =
    [
        [Dimension.None],
        [Dimension.None, UniqueDims],
        [Dimension.None, UniqueDims],
        [Dimension.None, UniqueDims],
    ];

    public static ReadOnlySpan<Dimension> CountsAt(Resolution resolution) => CountMasks[(int)resolution];

    public static ReadOnlySpan<Dimension> UniquesAt(Resolution resolution) => UniqueMasks[(int)resolution];

    /// <summary>The smallest materialised mask covering <paramref name="needed"/>, or None when there is none.</summary>
    public static bool TryChoose(ReadOnlySpan<Dimension> masks, Dimension needed, out Dimension chosen)
    {
        chosen = Dimension.None;
        int best = int.MaxValue;
        foreach (Dimension mask in masks)
        {
            int size = Dimensions.CountOf(mask);
            if ((mask & needed) == needed && size < best)
            {
                best = size;
                chosen = mask;
            }
        }

        return best != int.MaxValue;
    }
}
