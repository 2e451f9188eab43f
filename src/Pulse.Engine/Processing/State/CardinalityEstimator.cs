namespace Pulse.Processing.State;

/// <summary>
/// Cardinality estimators for <see cref="HyperLogLog"/>. Dense uses Ertl's improved estimator
/// ("New cardinality estimation algorithms for HyperLogLog sketches", 2017), which corrects the
/// small- and large-range bias of the raw estimate analytically, so no empirical HLL++ bias tables
/// are needed. Sparse uses linear counting over the 2^25 sparse registers.
/// </summary>
internal static class CardinalityEstimator
{
    private const int DenseQ = 64 - HyperLogLog.Precision;
    private const double SparseRegisters = 1 << HyperLogLog.SparsePrecision;
    private static readonly double AlphaInfinity = 0.5 / Math.Log(2.0);

    public static double EstimateSparse(int occupiedRegisters) =>
        occupiedRegisters == 0 ? 0 : SparseRegisters * Math.Log(SparseRegisters / (SparseRegisters - occupiedRegisters));

    public static double EstimateDense(ReadOnlySpan<byte> registers)
    {
        Span<int> histogram = stackalloc int[HyperLogLog.MaxDenseRank + 1];
        foreach (byte register in registers)
        {
            histogram[register]++;
        }

        double m = registers.Length;
        double z = m * Tau(1.0 - (histogram[DenseQ + 1] / m));
        for (int k = DenseQ; k >= 1; k--)
        {
            z = 0.5 * (z + histogram[k]);
        }

        z += m * Sigma(histogram[0] / m);
        return AlphaInfinity * m * m / z;
    }

    private static double Sigma(double x)
    {
        if (x == 1.0)
        {
            return double.PositiveInfinity;
        }

        double y = 1.0, z = x;
        while (true)
        {
            x *= x;
            double previous = z;
            z += x * y;
            y += y;
            if (previous == z)
            {
                return z;
            }
        }
    }

    private static double Tau(double x)
    {
        if (x == 0.0 || x == 1.0)
        {
            return 0.0;
        }

        double y = 1.0, z = 1.0 - x;
        while (true)
        {
            x = Math.Sqrt(x);
            double previous = z;
            y *= 0.5;
            double gap = 1.0 - x;
            z -= gap * gap * y;
            if (previous == z)
            {
                return z / 3.0;
            }
        }
    }
}
