using System.Buffers;
using System.Buffers.Binary;
using Pulse.Events;
using Pulse.Processing.State;

namespace Pulse.Tests.Processing.State;

/// <summary>
/// The rank convention throughout: the q-quantile of n values is the value at 0-based rank
/// floor(q · (n − 1)) of the sorted values, the same one <see cref="DDSketch.Quantile"/> answers.
/// </summary>
public sealed class DDSketchTests
{
    private const int ValueCount = 100_000;
    private const double Alpha = DDSketch.DefaultRelativeAccuracy;

    private static readonly double[] Quantiles = [0, 0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

    public static TheoryData<string> Distributions => ["uniform", "exponential", "lognormal", "constant", "bimodal"];

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Quantile_IsWithinRelativeAccuracyOfTheExactQuantile(string distribution)
    {
        double[] values = Generate(distribution, ValueCount, seed: 11);
        var sketch = new DDSketch();
        foreach (double value in values)
        {
            sketch.Add(value);
        }

        Array.Sort(values);
        foreach (double q in Quantiles)
        {
            AssertWithinAlpha(ExactQuantile(values, q), sketch.Quantile(q), Alpha, $"{distribution} q={q}");
        }

        Assert.Equal(ValueCount, sketch.Count);
        Assert.Equal(values[0], sketch.Min);
        Assert.Equal(values[^1], sketch.Max);
        double exactSum = values.Sum();
        Assert.Equal(exactSum, sketch.Sum, exactSum * 1e-9);
        Assert.Equal(exactSum / ValueCount, sketch.Average, exactSum / ValueCount * 1e-9);
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.001)]
    public void Quantile_HonoursOtherRelativeAccuracies(double alpha)
    {
        double[] values = Generate("lognormal", ValueCount, seed: 12);
        var sketch = new DDSketch(alpha, maxBuckets: 1 << 16);
        foreach (double value in values)
        {
            sketch.Add(value);
        }

        Array.Sort(values);
        foreach (double q in Quantiles)
        {
            AssertWithinAlpha(ExactQuantile(values, q), sketch.Quantile(q), alpha, $"alpha={alpha} q={q}");
        }
    }

    [Fact]
    public void Merge_EqualsTheSketchOfTheUnion()
    {
        double[] first = Generate("exponential", ValueCount / 2, seed: 21);
        double[] second = Generate("bimodal", ValueCount / 2, seed: 22);
        var left = new DDSketch();
        var right = new DDSketch();
        var union = new DDSketch();
        foreach (double value in first)
        {
            left.Add(value);
            union.Add(value);
        }

        foreach (double value in second)
        {
            right.Add(value);
            union.Add(value);
        }

        left.Merge(right);
        for (int permille = 0; permille <= 1000; permille++)
        {
            Assert.Equal(union.Quantile(permille / 1000.0), left.Quantile(permille / 1000.0));
        }

        Assert.Equal(union.Count, left.Count);
        Assert.Equal(union.ZeroCount, left.ZeroCount);
        Assert.Equal(union.Min, left.Min);
        Assert.Equal(union.Max, left.Max);
        Assert.Equal(union.Sum, left.Sum, union.Sum * 1e-12);
        Assert.Equal(ValueCount / 2, right.Count);
    }

    [Fact]
    public void Merge_IntoAnEmptySketch_AndOfAnEmptySketch_ChangesNothingElse()
    {
        var sketch = new DDSketch();
        foreach (double value in Generate("lognormal", 1_000, seed: 23))
        {
            sketch.Add(value);
        }

        var empty = new DDSketch();
        empty.Merge(sketch);
        sketch.Merge(new DDSketch());
        foreach (double q in Quantiles)
        {
            Assert.Equal(sketch.Quantile(q), empty.Quantile(q));
        }

        Assert.Equal(sketch.Count, empty.Count);
        Assert.Equal(1_000, sketch.Count);
    }

    [Fact]
    public void Merge_RejectsADifferentRelativeAccuracy()
    {
        var sketch = new DDSketch(0.01);
        Assert.Throws<ArgumentException>(() => sketch.Merge(new DDSketch(0.02)));
    }

    [Theory]
    [MemberData(nameof(Distributions))]
    public void SerializationRoundTrip_KeepsQuantilesCountSumMinMax(string distribution)
    {
        var sketch = new DDSketch();
        foreach (double value in Generate(distribution, ValueCount, seed: 31))
        {
            sketch.Add(value);
        }

        byte[] buffer = new byte[sketch.MaxSerializedSize];
        int written = sketch.Serialize(buffer);
        DDSketch restored = DDSketch.Deserialize(buffer.AsSpan(0, written));
        for (int permille = 0; permille <= 1000; permille++)
        {
            Assert.Equal(sketch.Quantile(permille / 1000.0), restored.Quantile(permille / 1000.0));
        }

        Assert.Equal(sketch.Count, restored.Count);
        Assert.Equal(sketch.Sum, restored.Sum);
        Assert.Equal(sketch.Min, restored.Min);
        Assert.Equal(sketch.Max, restored.Max);
        Assert.Equal(sketch.ZeroCount, restored.ZeroCount);
        Assert.Equal(sketch.RelativeAccuracy, restored.RelativeAccuracy);
        Assert.Equal(sketch.MaxBuckets, restored.MaxBuckets);

        var writer = new ArrayBufferWriter<byte>();
        Assert.Equal(written, restored.Serialize(writer));
        Assert.Equal(buffer.AsSpan(0, written).ToArray(), writer.WrittenSpan.ToArray());

        // Compact: a few bytes per occupied bucket, far under 8 bytes each.
        Assert.True(written < 60 + (3 * sketch.BucketCount), $"{written} bytes for {sketch.BucketCount} buckets");
    }

    [Fact]
    public void SerializationRoundTrip_OfAnEmptySketch_StaysEmptyAndUsable()
    {
        var writer = new ArrayBufferWriter<byte>();
        new DDSketch(0.02, 100).Serialize(writer);
        DDSketch restored = DDSketch.Deserialize(writer.WrittenSpan);
        Assert.Equal(0, restored.Count);
        Assert.True(double.IsNaN(restored.Quantile(0.5)));
        Assert.True(double.IsNaN(restored.Min));
        Assert.Equal(0.02, restored.RelativeAccuracy);
        Assert.Equal(100, restored.MaxBuckets);
        restored.Add(7);
        Assert.Equal(7, restored.Quantile(0.5));
    }

    [Fact]
    public void SerializationRoundTrip_ThenAdding_MatchesAddingToTheOriginal()
    {
        var original = new DDSketch();
        foreach (double value in Generate("exponential", 10_000, seed: 32))
        {
            original.Add(value);
        }

        byte[] buffer = new byte[original.MaxSerializedSize];
        DDSketch restored = DDSketch.Deserialize(buffer.AsSpan(0, original.Serialize(buffer)));
        foreach (double value in Generate("lognormal", 10_000, seed: 33))
        {
            original.Add(value);
            restored.Add(value);
        }

        foreach (double q in Quantiles)
        {
            Assert.Equal(original.Quantile(q), restored.Quantile(q));
        }
    }

    [Fact]
    public void Deserialize_RejectsMalformedInput()
    {
        var sketch = new DDSketch();
        sketch.Add(0);
        foreach (double value in Generate("uniform", 1_000, seed: 41))
        {
            sketch.Add(value);
        }

        byte[] buffer = new byte[sketch.MaxSerializedSize];
        byte[] valid = buffer.AsSpan(0, sketch.Serialize(buffer)).ToArray();
        Assert.Equal(sketch.Count, DDSketch.Deserialize(valid).Count);

        AssertRejected([]);
        AssertRejected(valid[..10]);
        AssertRejected(valid[..^1]);
        AssertRejected([.. valid, 0]);

        byte[] flipped = (byte[])valid.Clone();
        flipped[valid.Length / 2] ^= 0x10;
        AssertRejected(flipped);

        // With a correct checksum, so that only the field checks can catch them.
        AssertRejected(Resealed(valid, bytes => bytes[0] = 2));
        AssertRejected(Resealed(valid, bytes => BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(1), 1.5)));
        AssertRejected(Resealed(valid, bytes => BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(1), double.NaN)));
        AssertRejected(Resealed(valid, bytes => BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(9), 2)));
        AssertRejected(Resealed(valid, bytes => BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(9), 100)));
        int sumAt = 14; // version, alpha, cap, then the one-byte zero count
        AssertRejected(Resealed(valid, bytes => BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(sumAt), -1)));
        AssertRejected(Resealed(valid, bytes => BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(sumAt + 8), 5)));
        AssertRejected(Resealed(valid, bytes => BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(sumAt + 16), 1e9)));
        AssertRejected(Resealed(valid, bytes => BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(sumAt + 16), double.PositiveInfinity)));
        AssertRejected(Resealed(valid, bytes => bytes[13] = 0));
        AssertRejected(Resealed(valid, bytes => bytes[^5] = 0));
        AssertRejected(Resealed(valid, bytes => bytes[^5] = 0xFF));
    }

    [Fact]
    public void Collapsing_CapsTheBuckets_AndKeepsHighQuantilesWithinAlpha()
    {
        const int cap = 256;
        var random = new Random(51);
        double[] values = new double[ValueCount];
        for (int i = 0; i < values.Length; i++)
        {
            // Log-uniform over 1e-6 .. 1e6: about 1,380 buckets at 1 %, so the lowest ones must collapse.
            values[i] = Math.Pow(10, -6 + (12 * random.NextDouble()));
        }

        var sketch = new DDSketch(Alpha, cap);
        foreach (double value in values)
        {
            sketch.Add(value);
        }

        Assert.Equal(cap, sketch.BucketCount);
        Array.Sort(values);

        // The kept 256 buckets span a factor γ^256 ≈ 167 below the max, i.e. the top ~18.5 % of values.
        foreach (double q in new[] { 0.85, 0.9, 0.95, 0.99, 0.999, 1 })
        {
            AssertWithinAlpha(ExactQuantile(values, q), sketch.Quantile(q), Alpha, $"q={q}");
        }

        // Below the kept range the answer is the collapsed bucket's, far above the exact value.
        Assert.True(sketch.Quantile(0.25) > 100 * ExactQuantile(values, 0.25));
        Assert.Equal(values[0], sketch.Min);
        Assert.Equal(ValueCount, sketch.Count);

        var merged = new DDSketch(Alpha, cap);
        merged.Merge(sketch);
        merged.Merge(sketch);
        Assert.Equal(cap, merged.BucketCount);
        Assert.Equal(sketch.Quantile(0.99), merged.Quantile(0.99));
    }

    [Fact]
    public void Collapsing_ValuesBelowTheKeptRange_JoinTheLowestBucket()
    {
        var sketch = new DDSketch(Alpha, maxBuckets: 16);
        sketch.Add(1_000, 3);
        sketch.Add(1e-3);
        sketch.Add(1e-9);
        Assert.Equal(16, sketch.BucketCount);
        Assert.Equal(1e-9, sketch.Min);
        Assert.Equal(1_000, sketch.Quantile(1));
        AssertWithinAlpha(1_000, sketch.Quantile(0.5), Alpha, "rank 2 of 5");

        // Rank 1 (1e-3) sits in the collapsed lowest kept bucket, 15 buckets below 1,000.
        Assert.True(sketch.Quantile(0.25) > 500, $"collapsed answer {sketch.Quantile(0.25)}");
    }

    [Fact]
    public void Zeros_AreCountedApart_AndAnsweredExactly()
    {
        var sketch = new DDSketch();
        sketch.Add(0, 300);
        for (int i = 1; i <= 700; i++)
        {
            sketch.Add(i);
        }

        Assert.Equal(1_000, sketch.Count);
        Assert.Equal(300, sketch.ZeroCount);
        Assert.Equal(0, sketch.Min);
        Assert.Equal(0, sketch.Quantile(0));
        Assert.Equal(0, sketch.Quantile(0.2));
        Assert.Equal(0, sketch.Quantile(299 / 999.0));
        AssertWithinAlpha(1, sketch.Quantile(300.5 / 999), Alpha, "first non-zero");

        // Rank floor(0.65 · 999) = 649; ranks 300..999 hold 1..700.
        AssertWithinAlpha(350, sketch.Quantile(0.65), Alpha, "median of the rest");
        Assert.Equal(700 * 701 / 2.0, sketch.Sum);

        var onlyZeros = new DDSketch();
        onlyZeros.Add(0);
        Assert.Equal(0, onlyZeros.Quantile(0.5));
        Assert.Equal(0, onlyZeros.BucketCount);
    }

    [Fact]
    public void InvalidArguments_AreRejected()
    {
        var sketch = new DDSketch();
        Assert.Throws<ArgumentOutOfRangeException>(() => sketch.Add(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => sketch.Add(-double.Epsilon));
        Assert.Throws<ArgumentOutOfRangeException>(() => sketch.Add(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => sketch.Add(double.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => sketch.Add(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => sketch.Add(1, -5));
        Assert.Equal(0, sketch.Count);

        sketch.Add(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => sketch.Quantile(-0.01));
        Assert.Throws<ArgumentOutOfRangeException>(() => sketch.Quantile(1.01));
        Assert.Throws<ArgumentOutOfRangeException>(() => sketch.Quantile(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DDSketch(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DDSketch(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DDSketch(0.01, 2));
    }

    [Fact]
    public void EmptySketch_AnswersNaN()
    {
        var sketch = new DDSketch();
        Assert.True(double.IsNaN(sketch.Quantile(0.5)));
        Assert.True(double.IsNaN(sketch.Min));
        Assert.True(double.IsNaN(sketch.Max));
        Assert.True(double.IsNaN(sketch.Average));
        Assert.Equal(0, sketch.Sum);
    }

    [Fact]
    public void AddWithCount_EqualsAddingRepeatedly()
    {
        var weighted = new DDSketch();
        var repeated = new DDSketch();
        var random = new Random(61);
        for (int i = 0; i < 2_000; i++)
        {
            double value = random.NextDouble() * 50;
            int count = random.Next(1, 6);
            weighted.Add(value, count);
            for (int c = 0; c < count; c++)
            {
                repeated.Add(value);
            }
        }

        for (int permille = 0; permille <= 1000; permille++)
        {
            Assert.Equal(repeated.Quantile(permille / 1000.0), weighted.Quantile(permille / 1000.0));
        }

        Assert.Equal(repeated.Count, weighted.Count);
    }

    [Fact]
    public void Add_DoesNotAllocate_OnceTheRangeIsCovered()
    {
        var sketch = new DDSketch();
        sketch.Add(1e-3);
        sketch.Add(1e5);
        double[] values = Generate("lognormal", 10_000, seed: 71);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Math.Clamp(values[i], 1e-3, 1e5);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (double value in values)
        {
            sketch.Add(value);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10_002, sketch.Count);
    }

    [Fact]
    public void Clone_IsIndependent_AndClear_Empties()
    {
        var sketch = new DDSketch();
        foreach (double value in Generate("uniform", 1_000, seed: 81))
        {
            sketch.Add(value);
        }

        DDSketch clone = sketch.Clone();
        double median = sketch.Quantile(0.5);
        clone.Add(1e6, 10_000);
        Assert.Equal(median, sketch.Quantile(0.5));
        Assert.Equal(1_000, sketch.Count);

        sketch.Clear();
        Assert.Equal(0, sketch.Count);
        Assert.Equal(0, sketch.BucketCount);
        sketch.Add(3);
        AssertWithinAlpha(3, sketch.Quantile(0.5), Alpha, "after clear");
    }

    private static double ExactQuantile(double[] sorted, double q) => sorted[(int)Math.Floor(q * (sorted.Length - 1))];

    private static void AssertWithinAlpha(double exact, double estimate, double alpha, string what)
    {
        // A hair of slack for the rounding of log and pow at bucket boundaries.
        double allowed = (alpha * exact) + (exact * 1e-12);
        Assert.True(Math.Abs(estimate - exact) <= allowed, $"{what}: estimate {estimate} vs exact {exact} (error {Math.Abs(estimate - exact) / exact:P3})");
    }

    private static void AssertRejected(byte[] bytes) => Assert.Throws<InvalidDataException>(() => DDSketch.Deserialize(bytes));

    private static byte[] Resealed(byte[] valid, Action<byte[]> corrupt)
    {
        byte[] bytes = (byte[])valid.Clone();
        corrupt(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)));
        return bytes;
    }

    private static double[] Generate(string distribution, int count, int seed)
    {
        var random = new Random(seed);
        double[] values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = distribution switch
            {
                "uniform" => random.NextDouble() * 1_000,
                "exponential" => -Math.Log(1 - random.NextDouble()) * 250,
                "lognormal" => Math.Exp(3 + (1.5 * Gaussian(random))),
                "constant" => 42.5,
                "bimodal" => random.Next(2) == 0 ? Math.Abs(10 + Gaussian(random)) : Math.Abs(1_000 + (50 * Gaussian(random))),
                _ => throw new ArgumentOutOfRangeException(nameof(distribution), distribution, null),
            };
        }

        return values;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
