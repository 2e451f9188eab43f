namespace Pulse.Tests.Analytics.Anomalies;

/// <summary>
/// Seeded synthetic bucket values: Poisson counts around a rate, with optional multiplicative
/// over-dispersion (real traffic varies more than Poisson).
/// </summary>
internal sealed class Traffic(int seed, double overdispersion = 0.05)
{
    private readonly Random _random = new(seed);

    public double Count(double rate)
    {
        if (overdispersion > 0)
        {
            rate *= Math.Exp((overdispersion * Normal()) - (overdispersion * overdispersion / 2));
        }

        return Poisson(rate);
    }

    public double Normal()
    {
        double u1 = 1 - _random.NextDouble();
        double u2 = _random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Knuth below 10, Hörmann's transformed rejection (PTRS) above: exact Poisson in O(1).</summary>
    public int Poisson(double rate)
    {
        if (rate <= 0)
        {
            return 0;
        }

        if (rate < 10)
        {
            double limit = Math.Exp(-rate);
            double product = _random.NextDouble();
            int k = 0;
            while (product > limit)
            {
                k++;
                product *= _random.NextDouble();
            }

            return k;
        }

        double root = Math.Sqrt(rate);
        double logRate = Math.Log(rate);
        double b = 0.931 + (2.53 * root);
        double a = -0.059 + (0.02483 * b);
        double inverseAlpha = 1.1239 + (1.1328 / (b - 3.4));
        double vr = 0.9277 - (3.6224 / (b - 2));
        while (true)
        {
            double u = _random.NextDouble() - 0.5;
            double v = _random.NextDouble();
            double us = 0.5 - Math.Abs(u);
            int k = (int)Math.Floor((((2 * a / us) + b) * u) + rate + 0.43);
            if (us >= 0.07 && v <= vr)
            {
                return k;
            }

            if (k < 0 || (us < 0.013 && v > us))
            {
                continue;
            }

            if (Math.Log(v) + Math.Log(inverseAlpha) - Math.Log((a / (us * us)) + b) <= -rate + (k * logRate) - LogFactorial(k))
            {
                return k;
            }
        }
    }

    private static double LogFactorial(int k)
    {
        if (k < 2)
        {
            return 0;
        }

        if (k < 20)
        {
            double sum = 0;
            for (int i = 2; i <= k; i++)
            {
                sum += Math.Log(i);
            }

            return sum;
        }

        // Stirling's series, accurate to ~1e-10 from 20 on.
        double n = k;
        return (n * Math.Log(n)) - n + (0.5 * Math.Log(2 * Math.PI * n)) + (1 / (12 * n)) - (1 / (360 * n * n * n));
    }
}
