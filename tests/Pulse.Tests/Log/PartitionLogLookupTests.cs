using Pulse.Log;
using static Pulse.Tests.Log.LogTestSupport;

namespace Pulse.Tests.Log;

public sealed class PartitionLogLookupTests
{
    /// <summary>Record n is appended at StartMs + n * 1000.</summary>
    private static async Task AppendTimedAsync(PartitionLog log, ManualClock clock, int from, int count)
    {
        for (int n = from; n < from + count; n++)
        {
            await AppendOne(log, Payload(n)).Durable;
            clock.Advance(1000);
        }
    }

    [Fact]
    public async Task Offsets_resolve_to_their_exact_record_in_every_segment()
    {
        using TempDirectory dir = new();
        ManualClock clock = new(StartMs);
        await using PartitionLog log = Open(dir.Path, Options(segmentBytes: 8192), clock);
        await AppendTimedAsync(log, clock, 0, 400);
        Assert.True(log.Stats.Segments >= 4);

        Random random = new(5);
        for (int i = 0; i < 40; i++)
        {
            long offset = random.Next(400);
            LogPosition position = log.ResolvePosition(offset);
            Assert.Equal(offset, position.Offset);
            using LogReader reader = log.OpenReader(offset);
            using LogRecordBatch batch = new();
            Assert.Equal(1, reader.Read(batch, 1));
            Assert.Equal(offset, batch.GetOffset(0));
            Assert.Equal(Payload(offset), batch.GetPayload(0).ToArray());
        }

        Assert.Equal(log.DurableEnd, log.ResolvePosition(400));
        Assert.Equal(log.DurableEnd, log.ResolvePosition(10_000));
        Assert.Equal(log.StartPosition, log.ResolvePosition(-5));
    }

    [Fact]
    public async Task Timestamps_resolve_to_the_first_record_at_or_after_them()
    {
        using TempDirectory dir = new();
        ManualClock clock = new(StartMs);
        await using PartitionLog log = Open(dir.Path, Options(segmentBytes: 8192), clock);
        await AppendTimedAsync(log, clock, 0, 400);

        Random random = new(9);
        for (int i = 0; i < 40; i++)
        {
            int n = random.Next(400);
            Assert.Equal(n, log.FindPositionByTimestamp(StartMs + (n * 1000L)).Offset);
            Assert.Equal(n, log.FindPositionByTimestamp(StartMs + (n * 1000L) - 999).Offset);
        }

        Assert.Equal(0, log.FindPositionByTimestamp(0).Offset);
        Assert.Equal(log.DurableEnd, log.FindPositionByTimestamp(StartMs + 400_000));

        using LogReader reader = log.OpenReader(log.FindPositionByTimestamp(StartMs + 123_500));
        List<(long Offset, long Timestamp, byte[] Payload)> records = ReadAll(reader);
        Assert.Equal(124, records[0].Offset);
        Assert.Equal(StartMs + 124_000, records[0].Timestamp);
        Assert.Equal(400 - 124, records.Count);
    }

    [Fact]
    public async Task Lookups_work_from_rebuilt_indexes_after_reopen()
    {
        using TempDirectory dir = new();
        ManualClock clock = new(StartMs);
        await using (PartitionLog log = Open(dir.Path, Options(segmentBytes: 8192), clock))
        {
            await AppendTimedAsync(log, clock, 0, 300);
        }

        foreach (string index in Directory.GetFiles(dir.Path, "*.idx"))
        {
            File.WriteAllBytes(index, new byte[] { 1, 2, 3 });
        }

        await using PartitionLog reopened = Open(dir.Path, Options(segmentBytes: 8192), clock);
        Assert.Equal(0, reopened.Stats.CorruptionsSkipped);
        Assert.Equal(250, reopened.FindPositionByTimestamp(StartMs + 249_001).Offset);
        Assert.Equal(77, reopened.ResolvePosition(77).Offset);
        using LogReader reader = reopened.OpenReader(77);
        AssertPayloads(ReadAll(reader), Enumerable.Range(77, 300 - 77).Select(i => (long)i));
    }

    [Fact]
    public async Task Arrival_time_never_goes_backwards_when_the_clock_does()
    {
        using TempDirectory dir = new();
        ManualClock clock = new(StartMs);
        await using PartitionLog log = Open(dir.Path, Options(), clock);
        await AppendOne(log, Payload(0)).Durable;
        clock.Advance(-5000);
        await AppendOne(log, Payload(1)).Durable;

        List<(long Offset, long Timestamp, byte[] Payload)> records = ReadAll(log);
        Assert.Equal(StartMs, records[0].Timestamp);
        Assert.Equal(StartMs, records[1].Timestamp);
    }
}
