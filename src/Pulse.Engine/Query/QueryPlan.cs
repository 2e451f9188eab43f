using Pulse.Processing.Aggregation;

namespace Pulse.Query;

/// <summary>Where a query is answered from: one cuboid at one resolution over an aligned range.</summary>
public readonly record struct QueryPlan(Resolution Resolution, Dimension Mask, long From, long To, long StepMs)
{
    public int StepCount => StepMs == 0 ? 1 : (int)((To - From) / StepMs);

    /// <summary>
    /// Picks the coarsest resolution that answers exactly: it has a cuboid covering the needed
    /// dimensions, divides the step, and the range falls on its boundaries. A range that falls on no
    /// boundary is widened to the finest usable resolution; the result reports the range it covers.
    /// </summary>
    public static QueryPlan Choose(MetricQuery query, Dimension needed)
    {
        bool unique = query.Metric.Kind == MetricKind.Unique;
        long from = query.From;
        long to = query.To;
        if (query.StepMs > 0)
        {
            from = FloorTo(from, query.StepMs);
            to = CeilTo(to, query.StepMs);
        }

        if (query.Resolution is { } forced)
        {
            if (!Cuboids.TryChoose(MasksAt(forced, unique), needed, out Dimension forcedMask))
            {
                throw new QueryException($"No {forced.Name()} rollup covers the requested dimensions.");
            }

            long w = forced.WidthMs();
            return new QueryPlan(forced, forcedMask, FloorTo(from, w), CeilTo(to, w), query.StepMs);
        }

        QueryPlan? finest = null;
        for (int r = Resolutions.Count - 1; r >= 0; r--)
        {
            var resolution = (Resolution)r;
            long width = resolution.WidthMs();
            if (query.StepMs > 0 && query.StepMs % width != 0)
            {
                continue;
            }

            if (!Cuboids.TryChoose(MasksAt(resolution, unique), needed, out Dimension mask))
            {
                continue;
            }

            if (from % width == 0 && to % width == 0)
            {
                return new QueryPlan(resolution, mask, from, to, query.StepMs);
            }

            finest = new QueryPlan(resolution, mask, FloorTo(from, width), CeilTo(to, width), query.StepMs);
        }

        return finest ?? throw new QueryException(
            unique && Dimensions.CountOf(needed) > 1
                ? $"'{query.Metric.Name}' is sketched per dimension: group or filter it by one dimension at a time."
                : query.StepMs > 0 && query.StepMs < Resolution.Minute.WidthMs()
                    ? $"Per-second rollups keep only the 'type' breakdown; group or filter '{query.Metric.Name}' by other dimensions with step 1m or more."
                    : $"No rollup of '{query.Metric.Name}' covers the requested dimensions.");
    }

    private static ReadOnlySpan<Dimension> MasksAt(Resolution resolution, bool unique) =>
        unique ? Cuboids.UniquesAt(resolution) : Cuboids.CountsAt(resolution);

    public static long FloorTo(long value, long unit) => value - (((value % unit) + unit) % unit);

    public static long CeilTo(long value, long unit)
    {
        long floor = FloorTo(value, unit);
        return floor == value ? value : floor + unit;
    }
}
