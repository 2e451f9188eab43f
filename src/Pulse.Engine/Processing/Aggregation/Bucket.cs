namespace Pulse.Processing.Aggregation;

/// <summary>
/// The cells of one time bucket of one partition, one dictionary per cuboid so a query scans only
/// the cuboid it needs. A bucket is <see cref="Partial"/> when it was evicted earlier and only some
/// cells were brought back (by late events): cells missing from a partial bucket may exist in the
/// store and must be loaded before they are updated.
/// </summary>
public sealed class Bucket
{
    public Bucket(Resolution resolution, long start, bool partial)
    {
        Resolution = resolution;
        Start = start;
        Partial = partial;
        Counts = new Dictionary<CellKey, CountCell>[Cuboids.CountsAt(resolution).Length];
        for (int i = 0; i < Counts.Length; i++)
        {
            Counts[i] = [];
        }

        Uniques = new Dictionary<CellKey, UniqueCell>[Cuboids.UniquesAt(resolution).Length];
        for (int i = 0; i < Uniques.Length; i++)
        {
            Uniques[i] = [];
        }
    }

    public Resolution Resolution { get; }
    public long Start { get; }
    public long End => Start + Resolution.WidthMs();
    public bool Partial { get; }

    /// <summary>Indexed like <see cref="Cuboids.CountsAt"/>.</summary>
    public Dictionary<CellKey, CountCell>[] Counts { get; }

    /// <summary>Indexed like <see cref="Cuboids.UniquesAt"/>.</summary>
    public Dictionary<CellKey, UniqueCell>[] Uniques { get; }

    public List<(int Cuboid, CellKey Key)> DirtyCounts { get; } = [];
    public List<(int Cuboid, CellKey Key)> DirtyUniques { get; } = [];

    public bool IsDirty => DirtyCounts.Count > 0 || DirtyUniques.Count > 0;

    public Dictionary<CellKey, CountCell>? CountsFor(Dimension mask)
    {
        int i = Cuboids.CountsAt(Resolution).IndexOf(mask);
        return i < 0 ? null : Counts[i];
    }

    public Dictionary<CellKey, UniqueCell>? UniquesFor(Dimension mask)
    {
        int i = Cuboids.UniquesAt(Resolution).IndexOf(mask);
        return i < 0 ? null : Uniques[i];
    }
}
