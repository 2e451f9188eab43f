namespace Pulse.Generate;

/// <summary>A small categorical distribution sampled from a uniform draw: countries, devices, quantities.</summary>
internal sealed class WeightedTable
{
    private readonly double[] _cumulative;

    public WeightedTable(ReadOnlySpan<int> weights)
    {
        _cumulative = new double[weights.Length];
        double total = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            total += weights[i];
        }

        double running = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            running += weights[i];
            _cumulative[i] = running / total;
        }

        _cumulative[^1] = 1.0;
    }

    public int Count => _cumulative.Length;

    /// <summary>The index whose cumulative share first exceeds <paramref name="uniform"/> (in [0, 1)).</summary>
    public int Pick(double uniform)
    {
        double[] cumulative = _cumulative;
        for (int i = 0; i < cumulative.Length; i++)
        {
            if (uniform < cumulative[i])
            {
                return i;
            }
        }

        return cumulative.Length - 1;
    }
}
