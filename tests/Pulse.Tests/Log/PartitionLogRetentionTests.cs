using Pulse.Log;
using static Pulse.Tests.Log.LogTestSupport;

namespace Pulse.Tests.Log;

public sealed class PartitionLogRetentionTests
{
    [Fact]
    public async Task Age_retention_deletes_only_old_segments_entirely_below_the_checkpoint()
    {
        using TempDirectory dir = new();
        ManualClock clock = new(StartMs);
        Hosting.LogOptions options = Options(segmentBytes: 2048);
        options.RetentionAge = TimeSpan.FromDays(1);
        await using PartitionLog log = Open(dir.Path, options, clock);
        await AppendRangeAsync(log, 0, 150);
        clock.Advance((long)TimeSpan.FromDays(2).TotalMilliseconds);
        await AppendRangeAsync(log, 150, 150);
        int segmentsBefore = log.Stats.Segments;

        // Nothing is checkpointed: nothing goes, however old.
        Assert.Equal(0, log.ApplyRetention(0));

        long checkpoint = 100;
        int deleted = log.ApplyRetention(checkpoint);
        Assert.True(deleted > 0);
        Assert.Equal(segmentsBefore - deleted, log.Stats.Segments);
        Assert.Equal(segmentsBefore - deleted, SegmentFiles(dir.Path).Length);
        Assert.Equal(SegmentFiles(dir.Path).Length - 1, Directory.GetFiles(dir.Path, "*.idx").Length);

        LogPosition start = log.StartPosition;
        Assert.True(start.Offset <= checkpoint, "a segment with unchecked records was deleted");
        Assert.Equal(start.Offset, start.SegmentBaseOffset);
        AssertPayloads(ReadAll(log), Enumerable.Range((int)start.Offset, 300 - (int)start.Offset).Select(i => (long)i));

        // The rest of the old records go once checkpointed; segments holding recent records stay even when fully checkpointed.
        Assert.True(log.ApplyRetention(150) > 0);
        Assert.Equal(0, log.ApplyRetention(300));
        Assert.Equal(log.FindPositionByTimestamp(StartMs + 1).SegmentBaseOffset, log.StartPosition.SegmentBaseOffset);
        Assert.InRange(log.StartPosition.Offset, 100, 150);
        Assert.Equal(log.StartPosition, log.ResolvePosition(0));
    }

    [Fact]
    public async Task Size_retention_keeps_the_partition_under_its_limit_but_only_behind_the_checkpoint()
    {
        using TempDirectory dir = new();
        ManualClock clock = new(StartMs);
        Hosting.LogOptions options = Options(segmentBytes: 2048);
        options.RetentionBytesPerPartition = 6 * 2048;
        await using PartitionLog log = Open(dir.Path, options, clock);
        await AppendRangeAsync(log, 0, 400);
        Assert.True(log.Stats.Bytes > 3 * options.RetentionBytesPerPartition);

        long checkpoint = 60;
        Assert.True(log.ApplyRetention(checkpoint) > 0);
        Assert.True(log.StartPosition.Offset <= checkpoint);
        Assert.True(log.Stats.Bytes > options.RetentionBytesPerPartition, "deleted past the checkpoint");

        Assert.True(log.ApplyRetention(400) > 0);
        Assert.True(log.Stats.Bytes <= options.RetentionBytesPerPartition);
        Assert.True(log.Stats.Bytes > options.RetentionBytesPerPartition - 2048, "deleted more than needed");
        long bytesOnDisk = SegmentFiles(dir.Path).Sum(f => new FileInfo(f).Length);
        Assert.Equal(bytesOnDisk, log.Stats.Bytes);
        AssertPayloads(ReadAll(log), Enumerable.Range((int)log.StartPosition.Offset, 400 - (int)log.StartPosition.Offset).Select(i => (long)i));
    }

    [Fact]
    public async Task A_reader_inside_a_deleted_segment_finishes_it_and_moves_on()
    {
        using TempDirectory dir = new();
        Hosting.LogOptions options = Options(segmentBytes: 2048);
        options.RetentionBytesPerPartition = 0;
        await using PartitionLog log = Open(dir.Path, options);
        await AppendRangeAsync(log, 0, 200);

        using LogReader reader = log.OpenReader(0);
        using LogRecordBatch batch = new();
        Assert.Equal(3, reader.Read(batch, 3));
        Assert.True(log.ApplyRetention(200) > 0);
        Assert.True(log.StartPosition.Offset > 3);

        List<(long Offset, long Timestamp, byte[] Payload)> rest = ReadAll(reader);
        Assert.Equal(3, rest[0].Offset);
        long[] offsets = rest.Select(r => r.Offset).ToArray();
        Assert.Equal(offsets.Order(), offsets);
        Assert.Equal(199, offsets[^1]);
    }
}
