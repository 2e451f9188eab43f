using System.Text;

namespace Pulse.Generate;

/// <summary>
/// The shop's products: ids <c>p1..pN</c>, a category each, a price with cents, and a Zipf popularity.
/// Prices, categories and the popularity order depend only on the product number, never on the
/// seed, so the same product looks the same in every run and every test.
/// </summary>
internal sealed class ProductCatalog
{
    public const double PopularityExponent = 1.1;
    private const int MinPriceCents = 499;
    private const int MaxPriceCents = 49_999;
    private const ulong PermutationSeed = 0x5EED_CA7A_1060_0001UL;

    private static readonly string[] CategoryNames =
    [
        "electronics", "books", "home", "garden", "toys", "fashion",
        "sports", "beauty", "grocery", "automotive", "music", "office",
    ];

    private readonly int[] _priceCents;
    private readonly byte[] _category;
    private readonly int[] _productByRank;
    private readonly ZipfDistribution _popularity;

    public ProductCatalog(int productCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(productCount, 1);
        _priceCents = new int[productCount];
        _category = new byte[productCount];
        _productByRank = new int[productCount];
        double logMin = Math.Log(MinPriceCents), logMax = Math.Log(MaxPriceCents);
        for (int i = 0; i < productCount; i++)
        {
            ulong h = DeterministicRandom.Mix((ulong)i + 1);
            double uniform = (h >> 11) * (1.0 / (1UL << 53));
            // Log-uniform: cheap items are common, a few are expensive, like a real catalogue.
            _priceCents[i] = Math.Clamp((int)Math.Round(Math.Exp(logMin + (uniform * (logMax - logMin)))), MinPriceCents, MaxPriceCents);
            _category[i] = (byte)((h >> 3) % (ulong)CategoryNames.Length);
            _productByRank[i] = i;
        }

        // A fixed shuffle so the most popular products are spread over ids and categories, not p1..p10.
        var shuffle = new DeterministicRandom(PermutationSeed);
        for (int i = productCount - 1; i > 0; i--)
        {
            int j = shuffle.NextInt(i + 1);
            (_productByRank[i], _productByRank[j]) = (_productByRank[j], _productByRank[i]);
        }

        _popularity = new ZipfDistribution(productCount, PopularityExponent);
        CategoryUtf8 = new byte[CategoryNames.Length][];
        for (int c = 0; c < CategoryNames.Length; c++)
        {
            CategoryUtf8[c] = Encoding.UTF8.GetBytes(CategoryNames[c]);
        }
    }

    public int Count => _priceCents.Length;

    public static int CategoryCount => CategoryNames.Length;

    public byte[][] CategoryUtf8 { get; }

    /// <summary>Product index (0-based; its id is <c>p{index+1}</c>) drawn by popularity.</summary>
    public int SampleProduct(DeterministicRandom random) => _productByRank[_popularity.SampleRank(random.NextDouble())];

    /// <summary>A product of the given category, still by popularity (a few draws, then any popular product).</summary>
    public int SampleProductInCategory(DeterministicRandom random, int category)
    {
        for (int attempt = 0; attempt < 8; attempt++)
        {
            int product = SampleProduct(random);
            if (_category[product] == category)
            {
                return product;
            }
        }

        return SampleProduct(random);
    }

    public int PriceCents(int product) => _priceCents[product];

    public int CategoryOf(int product) => _category[product];

    public int ProductAtRank(int rank) => _productByRank[rank];
}
