using System.Text;
using Pulse.Processing.State;

namespace Pulse.Tests.Processing.State;

public sealed class DimensionDictionaryTests
{
    [Fact]
    public void EmptyValue_IsAlwaysIdZero()
    {
        var dictionary = new DimensionDictionary();

        Assert.Equal(DimensionDictionary.Empty, dictionary.GetOrAdd([]));
        Assert.True(dictionary.TryGetId([], out int id));
        Assert.Equal(0, id);
        Assert.Equal(string.Empty, dictionary.GetString(0));
        Assert.True(dictionary.GetBytes(0).IsEmpty);
        Assert.Equal(0, dictionary.Count);
    }

    [Fact]
    public void Ids_AreDenseAndStableAcrossTableGrowth()
    {
        var dictionary = new DimensionDictionary();
        const int values = 20_000;
        for (int i = 0; i < values; i++)
        {
            Assert.Equal(i + 1, dictionary.GetOrAdd(Value(i)));
        }

        Assert.Equal(values, dictionary.Count);
        for (int i = values - 1; i >= 0; i--)
        {
            byte[] value = Value(i);
            Assert.Equal(i + 1, dictionary.GetOrAdd(value));
            Assert.True(dictionary.TryGetId(value, out int id));
            Assert.Equal(i + 1, id);
            Assert.Equal(Encoding.UTF8.GetString(value), dictionary.GetString(id));
            Assert.True(dictionary.GetBytes(id).SequenceEqual(value));
        }

        Assert.Same(dictionary.GetString(7), dictionary.GetString(7));
        Assert.False(dictionary.TryGetId("never-added"u8, out _));
        Assert.Equal(values, dictionary.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => dictionary.GetString(values + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => dictionary.GetString(-1));
    }

    [Fact]
    public void Values_AreComparedByBytesNotJustHash()
    {
        var dictionary = new DimensionDictionary();
        int a = dictionary.GetOrAdd("page_view"u8);
        int b = dictionary.GetOrAdd("page_views"u8);
        int c = dictionary.GetOrAdd("/product/42"u8);

        Assert.Equal([1, 2, 3], new[] { a, b, c });
        Assert.Equal("/product/42", dictionary.GetString(c));
    }

    [Fact]
    public void OverlongValue_IsRejected()
    {
        var dictionary = new DimensionDictionary();
        Assert.Equal(1, dictionary.GetOrAdd(new byte[DimensionDictionary.MaxValueBytes]));
        Assert.Throws<ArgumentException>(() => dictionary.GetOrAdd(new byte[DimensionDictionary.MaxValueBytes + 1]));
    }

    [Fact]
    public void ConcurrentGetOrAdd_AssignsOneIdPerDistinctValue()
    {
        var dictionary = new DimensionDictionary();
        const int threads = 4, perThread = 30_000, stride = 10_000;
        var results = new int[threads][];
        using var start = new Barrier(threads);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int thread = t;
            workers[t] = new Thread(() =>
            {
                // Thread t covers [t * stride, t * stride + perThread): neighbours overlap by two thirds.
                var order = new int[perThread];
                for (int i = 0; i < perThread; i++)
                {
                    order[i] = (thread * stride) + i;
                }

                new Random(thread).Shuffle(order);
                var ids = new int[threads * stride + perThread];
                start.SignalAndWait();
                foreach (int value in order)
                {
                    ids[value] = dictionary.GetOrAdd(Value(value));
                }

                results[thread] = ids;
            });
            workers[t].Start();
        }

        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        int distinct = ((threads - 1) * stride) + perThread;
        Assert.Equal(distinct, dictionary.Count);
        var seenIds = new HashSet<int>();
        for (int value = 0; value < distinct; value++)
        {
            int id = 0;
            for (int t = 0; t < threads; t++)
            {
                int fromThread = results[t][value];
                if (fromThread == 0)
                {
                    continue;
                }

                Assert.True(id == 0 || id == fromThread, $"value {value} got ids {id} and {fromThread}");
                id = fromThread;
            }

            Assert.NotEqual(0, id);
            Assert.True(seenIds.Add(id), $"id {id} assigned twice");
            Assert.True(dictionary.GetBytes(id).SequenceEqual(Value(value)));
        }

        Assert.Equal(1, seenIds.Min());
        Assert.Equal(distinct, seenIds.Max());
    }

    [Fact]
    public void CopyNewEntries_ReturnsOnlyEntriesAfterTheGivenId()
    {
        var dictionary = new DimensionDictionary();
        for (int i = 0; i < 10; i++)
        {
            dictionary.GetOrAdd(Value(i));
        }

        var entries = new List<(int Id, byte[] Value)>();
        Assert.Equal(4, dictionary.CopyNewEntries(6, entries));
        Assert.Equal([7, 8, 9, 10], entries.Select(e => e.Id));
        Assert.Equal(Value(6), entries[0].Value);

        entries.Clear();
        Assert.Equal(0, dictionary.CopyNewEntries(10, entries));
        Assert.Empty(entries);
        Assert.Equal(10, dictionary.CopyNewEntries(0, entries));
    }

    [Fact]
    public void Restore_ReproducesIdsAndContinuesNumbering()
    {
        var original = new DimensionDictionary();
        var random = new Random(3);
        for (int i = 0; i < 5_000; i++)
        {
            original.GetOrAdd(Value(random.Next(8_000)));
        }

        var persisted = new List<(int Id, byte[] Value)>();
        original.CopyNewEntries(0, persisted);

        var restored = new DimensionDictionary();
        foreach ((int id, byte[] value) in persisted)
        {
            restored.Restore(id, value);
        }

        restored.Restore(0, []);
        restored.Restore(persisted[3].Id, persisted[3].Value);
        Assert.Equal(original.Count, restored.Count);
        foreach ((int id, byte[] value) in persisted)
        {
            Assert.Equal(id, restored.GetOrAdd(value));
            Assert.Equal(original.GetString(id), restored.GetString(id));
        }

        Assert.Equal(original.Count + 1, restored.GetOrAdd("brand-new"u8));
    }

    [Fact]
    public void Restore_RejectsInconsistentEntries()
    {
        var dictionary = new DimensionDictionary();
        dictionary.Restore(1, "a"u8);
        dictionary.Restore(2, "b"u8);

        Assert.Throws<InvalidDataException>(() => dictionary.Restore(4, "d"u8));
        Assert.Throws<InvalidDataException>(() => dictionary.Restore(2, "x"u8));
        Assert.Throws<InvalidDataException>(() => dictionary.Restore(3, "a"u8));
        Assert.Throws<InvalidDataException>(() => dictionary.Restore(3, []));
        Assert.Throws<InvalidDataException>(() => dictionary.Restore(0, "z"u8));
        Assert.Equal(2, dictionary.Count);
    }

    private static byte[] Value(int i) => Encoding.UTF8.GetBytes($"/product/{i}?ref=é");
}
