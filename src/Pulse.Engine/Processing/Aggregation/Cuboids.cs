namespace Pulse.Processing.Aggregation;

/// <summary>
/// Which dimension combinations are materialised at each resolution. A query is answered by the
/// smallest cuboid whose mask covers its group-by and filter dimensions, at the coarsest resolution
/// that has one. Every cell changed in a second is written by the next checkpoint, so the set is a
/// budget: per-second state keeps only the type breakdown; the full five-dimension cuboid (which
/// makes any group-by and filter exact, and so top-N exact) exists at minute resolution only; hours
/// and days keep small aggregate groups, and a query they do not cover falls back to minutes.
/// Distinct users are sketched per single dimension (and in total), so unique_users is grouped or
/// filtered by one dimension at a time; per page only at minute resolution.
/// </summary>
public static class Cuboids
{
    private const Dimension TypePage = Dimension.Type | Dimension.Page;
    private const Dimension TypeProduct = Dimension.Type | Dimension.Product;
    private const Dimension TypeCountryDevice = Dimension.Type | Dimension.Country | Dimension.Device;

    private static readonly Dimension[][] CountMasks =
    [
        [Dimension.Type],
        [Dimension.Type, TypePage, TypeProduct, TypeCountryDevice, Dimension.All],
        [Dimension.Type, TypePage, TypeProduct, TypeCountryDevice],
        [Dimension.Type, TypePage, TypeProduct, TypeCountryDevice],
    ];

    // Pages are many and each page's sketch is rewritten whenever it changes: per-page sketches are
    // kept per minute only, and longer ranges merge minutes.
    private static readonly Dimension[][] UniqueMasks =
    [
        [Dimension.None],
        [Dimension.None, Dimension.Type, Dimension.Page, Dimension.Country, Dimension.Device],
        [Dimension.None, Dimension.Type, Dimension.Country, Dimension.Device],
        [Dimension.None, Dimension.Type, Dimension.Country, Dimension.Device],
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
