using System.Buffers.Binary;
using Pulse.Events;
using Pulse.Processing.State;

namespace Pulse.Tests.Processing.State;

public sealed class HyperLogLogTests
{
    [Theory]
    [InlineData(10, 1)]
    [InlineData(100, 2)]
    [InlineData(1_000, 3)]
    [InlineData(10_000, 4)]
    [InlineData(100_000, 5)]
    [InlineData(1_000_000, 6)]
    public void Estimate_IsWithinTwoPercentOfExactCount(int cardinality, int seed)
    {
        var sketch = new HyperLogLog();
        var exact = new HashSet<ulong>();
        var random = new Random(seed);
        while (exact.Count < cardinality)
        {
            ulong hash = UserHash(random.NextInt64());
            exact.Add(hash);
            sketch.Add(hash);
        }

        double error = Math.Abs(sketch.Estimate() - exact.Count) / (double)exact.Count;
        Assert.True(error <= 0.02, $"estimate {sketch.Estimate()} vs exact {exact.Count}: {error:P2}");
        Assert.Equal(cardinality <= HyperLogLog.SparseMaxEntries, sketch.IsSparse);
    }

    [Fact]
    public void Add_ReportsWhetherTheSketchChanged_InSparseAndDenseMode()
    {
        var sketch = new HyperLogLog();
        Assert.True(sketch.Add(UserHash(1)));
        Assert.False(sketch.Add(UserHash(1)));

        // Past the sparse limit: a repeat of any item already added never changes a dense register,
        // and the serialized form is then byte-for-byte the same.
        for (int n = 2; n <= 50_000; n++)
        {
            sketch.Add(UserHash(n));
        }

        Assert.False(sketch.IsSparse);
        byte[] before = new byte[sketch.SerializedSize];
        sketch.Serialize(before);
        for (int n = 1; n <= 50_000; n++)
        {
            Assert.False(sketch.Add(UserHash(n)));
        }

        byte[] after = new byte[sketch.SerializedSize];
        sketch.Serialize(after);
        Assert.Equal(before, after);
        int changed = 0;
        for (int n = 50_001; n <= 60_000; n++)
        {
            changed += sketch.Add(UserHash(n)) ? 1 : 0;
        }

        Assert.InRange(changed, 1, 9_999);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(500)]
    [InlineData(3_000)]
    [InlineData(20_000)]
    public void MaxSerializedSize_BoundsTheSerializedSize(int items)
    {
        var sketch = new HyperLogLog();
        for (int n = 0; n < items; n++)
        {
            sketch.Add(UserHash(n));
        }

        Assert.InRange(sketch.SerializedSize, 1, sketch.MaxSerializedSize);
        byte[] buffer = new byte[sketch.MaxSerializedSize];
        Assert.Equal(sketch.SerializedSize, sketch.Serialize(buffer));
    }

    [Fact]
    public void Estimate_IsExactForSmallSets()
    {
        var sketch = new HyperLogLog();
        Assert.Equal(0, sketch.Estimate());
        for (int n = 1; n <= 300; n++)
        {
            sketch.Add(UserHash(n));
            Assert.Equal(n, sketch.Estimate());
        }
    }

    [Fact]
    public void Estimate_StaysAccurateWhenAllUsersShareOnePartition()
    {
        var sketch = new HyperLogLog();
        int distinct = 0;
        for (long user = 0; distinct < 200_000; user++)
        {
            ulong hash = UserHash(user);
            if (Hash64.Partition(hash, 16) == 5)
            {
                sketch.Add(hash);
                distinct++;
            }
        }

        double error = Math.Abs(sketch.Estimate() - distinct) / (double)distinct;
        Assert.True(error <= 0.02, $"estimate {sketch.Estimate()} vs exact {distinct}: {error:P2}");
    }

    [Theory]
    [InlineData(500)]
    [InlineData(50_000)]
    public void Duplicates_DoNotChangeTheSketch(int cardinality)
    {
        var sketch = new HyperLogLog();
        ulong[] hashes = Hashes(0, cardinality);
        foreach (ulong hash in hashes)
        {
            sketch.Add(hash);
        }

        long estimate = sketch.Estimate();
        byte[] before = Serialize(sketch);
        var random = new Random(7);
        for (int round = 0; round < 3; round++)
        {
            random.Shuffle(hashes);
            foreach (ulong hash in hashes)
            {
                sketch.Add(hash);
            }
        }

        Assert.Equal(estimate, sketch.Estimate());
        Assert.Equal(before, Serialize(sketch));
    }

    [Theory]
    [InlineData(0, 2_000, 1_500, 3_000)] // sparse + sparse, stays sparse
    [InlineData(0, 3_000, 2_500, 5_500)] // sparse + sparse, overflows into dense
    [InlineData(0, 1_000, 500, 60_000)] // sparse + dense
    [InlineData(0, 60_000, 40_000, 100_000)] // dense + dense
    public void Merge_EstimatesTheUnionAndIsCommutative(int aStart, int aEnd, int bStart, int bEnd)
    {
        HyperLogLog a = Build(aStart, aEnd), b = Build(bStart, bEnd);
        HyperLogLog union = Build(Math.Min(aStart, bStart), Math.Max(aEnd, bEnd));
        long exactUnion = Math.Max(aEnd, bEnd) - Math.Min(aStart, bStart);

        HyperLogLog ab = a.Clone(), ba = b.Clone();
        ab.Merge(b);
        ba.Merge(a);

        Assert.Equal(Serialize(union), Serialize(ab));
        Assert.Equal(Serialize(union), Serialize(ba));
        Assert.Equal(union.IsSparse, ab.IsSparse);
        double error = Math.Abs(ab.Estimate() - exactUnion) / (double)exactUnion;
        Assert.True(error <= 0.02, $"union estimate {ab.Estimate()} vs exact {exactUnion}: {error:P2}");
        Assert.Equal(Serialize(Build(aStart, aEnd)), Serialize(a));
        Assert.Equal(Serialize(Build(bStart, bEnd)), Serialize(b));
    }

    [Fact]
    public void SparseOverflow_ConvertsToTheSameRegistersAsBuildingDense()
    {
        HyperLogLog grown = Build(0, 20_000);
        var dense = new HyperLogLog();
        dense.ConvertToDense();
        foreach (ulong hash in Hashes(0, 20_000))
        {
            dense.Add(hash);
        }

        Assert.False(grown.IsSparse);
        Assert.Equal(Serialize(dense), Serialize(grown));
        Assert.Equal(dense.Estimate(), grown.Estimate());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sparse_KeepsTheHighestRankPerIndex_LikeDense(bool highRankFirst)
    {
        // Mixed hashes sharing a sparse index whose low 11 bits are zero, so the dense rank depends on the sparse rank.
        ulong shared = 0x1234800UL << 39;
        ulong[] hashes = [UnMix(shared | (1UL << 20)), UnMix(shared | 1UL), UnMix(shared), UnMix((0x0ABCDEFUL << 39) | (1UL << 38))];
        if (highRankFirst)
        {
            Array.Reverse(hashes);
        }

        var sparse = new HyperLogLog();
        var dense = new HyperLogLog();
        dense.ConvertToDense();
        foreach (ulong hash in hashes)
        {
            Assert.Equal(hash, UnMix(HyperLogLog.Mix(hash)));
            sparse.Add(hash);
            dense.Add(hash);
        }

        Assert.True(sparse.IsSparse);
        Assert.Equal(2, sparse.Estimate());
        HyperLogLog restored = HyperLogLog.Deserialize(Serialize(sparse));
        restored.ConvertToDense();
        sparse.ConvertToDense();
        Assert.Equal(Serialize(dense), Serialize(sparse));
        Assert.Equal(Serialize(dense), Serialize(restored));
    }

    [Fact]
    public void SparseMergedIntoDense_MatchesAddingTheSameHashes()
    {
        HyperLogLog target = Build(0, 30_000);
        target.Merge(Build(100_000, 101_000));
        Assert.Equal(Serialize(Build(0, 30_000, 100_000, 101_000)), Serialize(target));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1_000)]
    [InlineData(3_000)]
    [InlineData(70_000)]
    public void Serialization_RoundTrips(int cardinality)
    {
        HyperLogLog original = Build(0, cardinality);
        byte[] bytes = Serialize(original);
        HyperLogLog copy = HyperLogLog.Deserialize(bytes);

        Assert.Equal(original.IsSparse, copy.IsSparse);
        Assert.Equal(original.Estimate(), copy.Estimate());
        Assert.Equal(bytes, Serialize(copy));
        Assert.True(bytes.Length <= HyperLogLog.DenseSerializedSize);

        copy.Add(UserHash(-1));
        original.Add(UserHash(-1));
        Assert.Equal(Serialize(original), Serialize(copy));
    }

    [Theory]
    [InlineData(500, 800)]
    [InlineData(3_000, 60_000)]
    [InlineData(60_000, 3_000)]
    public void MergeInto_MatchesMergeOfTheDeserializedSketch(int targetSize, int sourceSize)
    {
        HyperLogLog viaBytes = Build(0, targetSize);
        HyperLogLog viaObject = viaBytes.Clone();
        HyperLogLog source = Build(targetSize / 2, (targetSize / 2) + sourceSize);

        HyperLogLog.MergeInto(viaBytes, Serialize(source));
        viaObject.Merge(source);

        Assert.Equal(Serialize(viaObject), Serialize(viaBytes));
    }

    [Fact]
    public void Deserialize_RejectsRandomBytes()
    {
        var random = new Random(11);
        int[] lengths = [0, 1, 2, 5, 6, 7, 10, 100, 1000, HyperLogLog.DenseSerializedSize];
        foreach (int length in lengths)
        {
            for (int attempt = 0; attempt < 50; attempt++)
            {
                byte[] garbage = new byte[length];
                random.NextBytes(garbage);
                if (length > 0 && attempt % 2 == 0)
                {
                    garbage[0] = HyperLogLog.FormatVersion;
                }

                AssertRejected(garbage);
            }
        }
    }

    [Theory]
    [InlineData(300)]
    [InlineData(40_000)]
    public void Deserialize_RejectsTruncatedOrFlippedBytes(int cardinality)
    {
        byte[] valid = Serialize(Build(0, cardinality));
        for (int length = 0; length < valid.Length; length += Math.Max(1, valid.Length / 200))
        {
            AssertRejected(valid.AsSpan(0, length).ToArray());
        }

        var random = new Random(13);
        for (int attempt = 0; attempt < 200; attempt++)
        {
            byte[] flipped = (byte[])valid.Clone();
            flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
            AssertRejected(flipped);
        }
    }

    [Fact]
    public void Deserialize_RejectsWellFramedButInvalidContent()
    {
        AssertRejected(Framed([2, HyperLogLog.SparseKind, 0, 0, 0, 0]));
        AssertRejected(Framed([HyperLogLog.FormatVersion, 9, 0, 0, 0, 0]));
        AssertRejected(Framed([HyperLogLog.FormatVersion, HyperLogLog.SparseKind, 0, 0, 0]));
        AssertRejected(Framed([HyperLogLog.FormatVersion, HyperLogLog.SparseKind, 0xFF, 0xFF, 0, 0]));
        AssertRejected(Framed([HyperLogLog.FormatVersion, HyperLogLog.SparseKind, 1, 0, 0, 0]));
        AssertRejected(Framed([HyperLogLog.FormatVersion, HyperLogLog.SparseKind, 1, 0, 0, 0, 0x41, 0x00]));
        AssertRejected(Framed([HyperLogLog.FormatVersion, HyperLogLog.SparseKind, 1, 0, 0, 0, 0x40]));
        AssertRejected(Framed([HyperLogLog.FormatVersion, HyperLogLog.SparseKind, 1, 0, 0, 0, 0x30]));
        AssertRejected(Framed([HyperLogLog.FormatVersion, HyperLogLog.SparseKind, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]));
        AssertRejected(Framed([HyperLogLog.FormatVersion, HyperLogLog.SparseKind, 2, 0, 0, 0, 0x41, 0x01]));
        AssertRejected(Framed([HyperLogLog.FormatVersion, HyperLogLog.SparseKind, 2, 0, 0, 0, 0x41, 0x00]));

        byte[] dense = Serialize(Build(0, 20_000));
        dense[2] |= 0x3F;
        AssertRejected(Reframe(dense));
        AssertRejected(Framed([HyperLogLog.FormatVersion, HyperLogLog.DenseKind, 0, 0, 0, 0]));
    }

    [Fact]
    public void MergeInto_LeavesTargetUntouchedOnCorruptInput()
    {
        HyperLogLog target = Build(0, 1_000);
        byte[] before = Serialize(target);
        byte[] corrupt = Serialize(Build(5_000, 80_000));
        corrupt[100] ^= 0x10;

        Assert.Throws<InvalidDataException>(() => HyperLogLog.MergeInto(target, corrupt));
        Assert.Equal(before, Serialize(target));
        Assert.True(target.IsSparse);
    }

    [Fact]
    public void Clone_IsIndependentAndClearEmpties()
    {
        HyperLogLog original = Build(0, 2_000);
        HyperLogLog clone = original.Clone();
        foreach (ulong hash in Hashes(10_000, 20_000))
        {
            clone.Add(hash);
        }

        Assert.True(original.IsSparse);
        Assert.Equal(2_000, original.Estimate());
        Assert.False(clone.IsSparse);

        clone.Clear();
        Assert.True(clone.IsSparse);
        Assert.Equal(0, clone.Estimate());
        clone.Add(UserHash(1));
        Assert.Equal(1, clone.Estimate());
    }

    [Fact]
    public void DenseAdd_DoesNotAllocate()
    {
        HyperLogLog sketch = Build(0, 10_000);
        ulong[] hashes = Hashes(10_000, 110_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (ulong hash in hashes)
        {
            sketch.Add(hash);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    private static void AssertRejected(byte[] data)
    {
        Assert.Throws<InvalidDataException>(() => HyperLogLog.Deserialize(data));
        var target = new HyperLogLog();
        Assert.Throws<InvalidDataException>(() => HyperLogLog.MergeInto(target, data));
        Assert.Equal(0, target.Estimate());
    }

    private static byte[] Framed(byte[] body)
    {
        byte[] framed = new byte[body.Length + 4];
        body.CopyTo(framed, 0);
        return Reframe(framed);
    }

    private static byte[] Reframe(byte[] withChecksumSlot)
    {
        int bodyLength = withChecksumSlot.Length - 4;
        BinaryPrimitives.WriteUInt32LittleEndian(withChecksumSlot.AsSpan(bodyLength), Pulse.Events.Crc32C.Compute(withChecksumSlot.AsSpan(0, bodyLength)));
        return withChecksumSlot;
    }

    private static byte[] Serialize(HyperLogLog sketch)
    {
        byte[] buffer = new byte[sketch.SerializedSize];
        Assert.Equal(buffer.Length, sketch.Serialize(buffer));
        return buffer;
    }

    private static HyperLogLog Build(params int[] ranges)
    {
        var sketch = new HyperLogLog();
        for (int r = 0; r < ranges.Length; r += 2)
        {
            foreach (ulong hash in Hashes(ranges[r], ranges[r + 1]))
            {
                sketch.Add(hash);
            }
        }

        return sketch;
    }

    private static ulong[] Hashes(int start, int end)
    {
        ulong[] hashes = new ulong[end - start];
        for (int i = 0; i < hashes.Length; i++)
        {
            hashes[i] = UserHash(start + i);
        }

        return hashes;
    }

    /// <summary>Inverse of <see cref="HyperLogLog.Mix"/>, to craft hashes that land on chosen registers.</summary>
    private static ulong UnMix(ulong value)
    {
        value ^= value >> 33;
        value *= ModularInverse(0xc4ceb9fe1a85ec53UL);
        value ^= value >> 33;
        value *= ModularInverse(0xff51afd7ed558ccdUL);
        value ^= value >> 33;
        return value;
    }

    private static ulong ModularInverse(ulong odd)
    {
        ulong inverse = odd;
        for (int i = 0; i < 6; i++)
        {
            inverse *= 2 - (odd * inverse);
        }

        return inverse;
    }

    private static ulong UserHash(long user)
    {
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, user);
        return Hash64.Compute(bytes);
    }
}
