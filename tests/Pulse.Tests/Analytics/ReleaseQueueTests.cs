using Pulse.Analytics;

namespace Pulse.Tests.Analytics;

public sealed class ReleaseQueueTests
{
    [Theory]
    [InlineData(64)]
    [InlineData(16_384)]
    public void Every_dequeue_takes_the_smallest_time_then_offset_of_what_is_queued_with_stragglers_mixed_in(int windowMs)
    {
        var random = new Random(17);
        var queue = new ReleaseQueue<long>(windowMs);
        var reference = new SortedSet<(long Time, long Offset)>();
        long clock = 1_000_000;
        int dequeued = 0;
        for (long offset = 0; offset < 20_000; offset++)
        {
            clock += random.Next(0, 3);
            long time = random.NextDouble() < 0.1 ? clock - random.Next(1, 5000) : clock;
            queue.Enqueue(offset, time, offset);
            reference.Add((time, offset));

            // Release what a watermark 2 s behind lets out, as the analytics do between events.
            while (queue.TryPeek(out long item, out (long Time, long Offset) at) && at.Time <= clock - 2000)
            {
                Assert.Equal(reference.Min, at);
                Assert.Equal(at.Offset, item);
                reference.Remove(at);
                queue.Dequeue();
                dequeued++;
            }
        }

        Assert.Equal(reference.Count, queue.Count);
        Assert.Equal(reference.Select(r => r.Offset).Order(), queue.Items().Order());
        while (queue.TryPeek(out _, out (long Time, long Offset) at))
        {
            Assert.Equal(reference.Min, at);
            reference.Remove(at);
            queue.Dequeue();
        }

        Assert.Empty(reference);
        Assert.True(dequeued > 15_000);
    }

    [Fact]
    public void Items_beyond_the_wheel_and_before_its_first_slot_still_come_out_in_order()
    {
        var queue = new ReleaseQueue<long>(64);
        (long Time, long Offset)[] arrivals =
        [
            (1000, 0), (1010, 1), (5000, 2), (1000, 3), (990, 4), (900, 5), (1063, 6), (1064, 7), (5000, 8), (1010, 9),
        ];
        foreach ((long time, long offset) in arrivals)
        {
            queue.Enqueue(offset, time, offset);
        }

        Assert.True(queue.OutsideWheel > 0);
        long[] expected = arrivals.OrderBy(a => a.Time).ThenBy(a => a.Offset).Select(a => a.Offset).ToArray();
        var released = new List<long>();
        while (queue.TryPeek(out long item, out _))
        {
            released.Add(item);
            queue.Dequeue();
        }

        Assert.Equal(expected, released);
    }

    [Fact]
    public void A_restore_that_enqueues_one_instant_out_of_offset_order_releases_it_in_offset_order()
    {
        var queue = new ReleaseQueue<long>();
        foreach (long offset in new long[] { 7, 3, 9, 1, 5 })
        {
            queue.Enqueue(offset, 2000, offset);
        }

        queue.Enqueue(8, 1999, 8);
        var released = new List<long>();
        while (queue.TryPeek(out long item, out _))
        {
            released.Add(item);
            queue.Dequeue();
        }

        Assert.Equal([8, 1, 3, 5, 7, 9], released);
    }

    [Fact]
    public void Without_stragglers_the_order_is_exactly_time_then_offset()
    {
        var queue = new ReleaseQueue<int>();
        for (int i = 0; i < 5000; i++)
        {
            queue.Enqueue(i, i / 3, i);
        }

        for (int i = 0; i < 5000; i++)
        {
            Assert.True(queue.TryPeek(out int item, out _));
            Assert.Equal(i, item);
            queue.Dequeue();
        }

        Assert.False(queue.TryPeek(out _, out _));
    }
}
