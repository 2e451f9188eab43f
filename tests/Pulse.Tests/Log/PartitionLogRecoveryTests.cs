using Pulse.Log;
using static Pulse.Tests.Log.LogTestSupport;

namespace Pulse.Tests.Log;

public sealed class PartitionLogRecoveryTests
{
    private static async Task<string> WriteSingleSegmentAsync(string directory, int records)
    {
        await using PartitionLog log = Open(directory, Options(segmentBytes: 1 << 20));
        await AppendRangeAsync(log, 0, records);
        return Assert.Single(SegmentFiles(directory));
    }

    private static async Task AssertRecoveredToAsync(string directory, int goodRecords, long expectedFileLength, long cutBytes)
    {
        await using (PartitionLog log = Open(directory, Options(segmentBytes: 1 << 20)))
        {
            Assert.Equal(goodRecords, log.NextOffset);
            Assert.Equal(1, log.Stats.RecoveryTruncations);
            Assert.Equal(cutBytes, log.Stats.RecoveryTruncatedBytes);
            Assert.Equal(expectedFileLength, new FileInfo(SegmentFiles(directory)[0]).Length);
            AssertPayloads(ReadAll(log), Enumerable.Range(0, goodRecords).Select(i => (long)i));

            await AppendRangeAsync(log, goodRecords, 10);
        }

        await using PartitionLog reopened = Open(directory, Options(segmentBytes: 1 << 20));
        Assert.Equal(0, reopened.Stats.RecoveryTruncations);
        AssertPayloads(ReadAll(reopened), Enumerable.Range(0, goodRecords + 10).Select(i => (long)i));
    }

    [Fact]
    public async Task File_cut_mid_record_is_truncated_to_the_last_whole_record()
    {
        using TempDirectory dir = new();
        string segment = await WriteSingleSegmentAsync(dir.Path, 50);
        long lastStart = RecordPositions(segment)[^1];
        long cutAt = lastStart + 30;
        using (FileStream stream = new(segment, FileMode.Open))
        {
            stream.SetLength(cutAt);
        }

        await AssertRecoveredToAsync(dir.Path, 49, lastStart, cutAt - lastStart);
    }

    [Fact]
    public async Task Garbage_after_the_last_record_is_truncated()
    {
        using TempDirectory dir = new();
        string segment = await WriteSingleSegmentAsync(dir.Path, 50);
        long length = new FileInfo(segment).Length;
        byte[] garbage = new byte[333];
        new Random(42).NextBytes(garbage);
        using (FileStream stream = new(segment, FileMode.Append))
        {
            stream.Write(garbage);
        }

        await AssertRecoveredToAsync(dir.Path, 50, length, garbage.Length);
    }

    [Fact]
    public async Task A_flipped_byte_in_the_last_record_cuts_that_record()
    {
        using TempDirectory dir = new();
        string segment = await WriteSingleSegmentAsync(dir.Path, 50);
        long length = new FileInfo(segment).Length;
        long lastStart = RecordPositions(segment)[^1];
        FlipByte(segment, lastStart + 24 + 11);

        await AssertRecoveredToAsync(dir.Path, 49, lastStart, length - lastStart);
    }

    [Fact]
    public async Task A_flipped_byte_in_a_middle_record_of_the_active_segment_loses_only_that_record()
    {
        using TempDirectory dir = new();
        string segment = await WriteSingleSegmentAsync(dir.Path, 50);
        long length = new FileInfo(segment).Length;
        long start30 = RecordPositions(segment)[30];
        FlipByte(segment, start30 + 9); // inside the offset field

        // The records after it were acknowledged and are intact: damage, not a torn tail, so they stay.
        IEnumerable<long> kept = Enumerable.Range(0, 60).Select(i => (long)i).Where(o => o != 30);
        await using (PartitionLog log = Open(dir.Path, Options(segmentBytes: 1 << 20)))
        {
            Assert.Equal(50, log.NextOffset);
            Assert.Equal(0, log.Stats.RecoveryTruncations);
            Assert.Equal(length, new FileInfo(segment).Length);
            Assert.Equal(1, log.Stats.CorruptionsSkipped);
            Assert.Equal(1, log.Stats.RecordsLost);
            Assert.Equal([(30L, 30L)], log.LostRanges);
            await AppendRangeAsync(log, 50, 10);
            AssertPayloads(ReadAll(log), kept);
            Assert.Equal(1, log.Stats.RecordsLost);
        }

        await using PartitionLog reopened = Open(dir.Path, Options(segmentBytes: 1 << 20));
        AssertPayloads(ReadAll(reopened), kept);
        Assert.Equal(1, reopened.Stats.RecordsLost);
    }

    [Fact]
    public async Task A_flipped_bit_in_a_sealed_segment_is_skipped_and_counted()
    {
        using TempDirectory dir = new();
        await using (PartitionLog log = Open(dir.Path, Options(segmentBytes: 2048)))
        {
            await AppendRangeAsync(log, 0, 200);
        }

        string[] segments = SegmentFiles(dir.Path);
        Assert.True(segments.Length > 4);
        string damaged = segments[2];
        long baseOffset = long.Parse(Path.GetFileNameWithoutExtension(damaged), System.Globalization.CultureInfo.InvariantCulture);
        long position = RecordPositions(damaged)[3];
        FlipByte(damaged, position + 24 + 20);

        await using PartitionLog reopened = Open(dir.Path, Options(segmentBytes: 2048));
        Assert.Equal(200, reopened.NextOffset);
        Assert.Equal(0, reopened.Stats.RecoveryTruncations);

        List<(long Offset, long Timestamp, byte[] Payload)> records = ReadAll(reopened);
        long lost = baseOffset + 3;
        AssertPayloads(records, Enumerable.Range(0, 200).Select(i => (long)i).Where(o => o != lost));
        Assert.Equal(1, reopened.Stats.CorruptionsSkipped);

        // Every reader that crosses the damage reports it, but the lost record is counted once.
        ReadAll(reopened);
        Assert.Equal(1, reopened.Stats.RecordsLost);
        Assert.Equal([(lost, lost)], reopened.LostRanges);
    }

    [Fact]
    public async Task A_damaged_length_in_a_sealed_segment_resyncs_on_the_next_valid_record()
    {
        using TempDirectory dir = new();
        await using (PartitionLog log = Open(dir.Path, Options(segmentBytes: 2048)))
        {
            await AppendRangeAsync(log, 0, 200);
        }

        string damaged = SegmentFiles(dir.Path)[1];
        long baseOffset = long.Parse(Path.GetFileNameWithoutExtension(damaged), System.Globalization.CultureInfo.InvariantCulture);
        long position = RecordPositions(damaged)[2];
        FlipByte(damaged, position + 3); // the length's high byte: claims far more than the segment holds

        // Without the index the rebuild scan meets the damage too.
        File.Delete(Path.ChangeExtension(damaged, ".idx"));

        await using PartitionLog reopened = Open(dir.Path, Options(segmentBytes: 2048));
        Assert.True(File.Exists(Path.ChangeExtension(damaged, ".idx")), "index not rebuilt");
        long corruptAtOpen = reopened.Stats.CorruptionsSkipped;
        Assert.Equal(1, corruptAtOpen);

        List<(long Offset, long Timestamp, byte[] Payload)> records = ReadAll(reopened);
        long lost = baseOffset + 2;
        AssertPayloads(records, Enumerable.Range(0, 200).Select(i => (long)i).Where(o => o != lost));
        Assert.Equal(corruptAtOpen + 1, reopened.Stats.CorruptionsSkipped);
    }

    [Fact]
    public async Task A_missing_middle_segment_is_reported_and_reading_continues_after_it()
    {
        using TempDirectory dir = new();
        await using (PartitionLog log = Open(dir.Path, Options(segmentBytes: 2048)))
        {
            await AppendRangeAsync(log, 0, 200);
        }

        string[] segments = SegmentFiles(dir.Path);
        long missingFrom = long.Parse(Path.GetFileNameWithoutExtension(segments[2]), System.Globalization.CultureInfo.InvariantCulture);
        long missingTo = long.Parse(Path.GetFileNameWithoutExtension(segments[3]), System.Globalization.CultureInfo.InvariantCulture);
        File.Delete(segments[2]);
        File.Delete(Path.ChangeExtension(segments[2], ".idx"));

        await using PartitionLog reopened = Open(dir.Path, Options(segmentBytes: 2048));
        Assert.Equal(1, reopened.Stats.CorruptionsSkipped);
        AssertPayloads(ReadAll(reopened), Enumerable.Range(0, 200).Select(i => (long)i).Where(o => o < missingFrom || o >= missingTo));
        await AppendRangeAsync(reopened, 200, 5);
    }

    [Fact]
    public async Task A_truncated_middle_segment_is_reindexed_and_reading_continues_after_it()
    {
        using TempDirectory dir = new();
        await using (PartitionLog log = Open(dir.Path, Options(segmentBytes: 2048)))
        {
            await AppendRangeAsync(log, 0, 200);
        }

        string[] segments = SegmentFiles(dir.Path);
        long baseOffset = long.Parse(Path.GetFileNameWithoutExtension(segments[1]), System.Globalization.CultureInfo.InvariantCulture);
        long next = long.Parse(Path.GetFileNameWithoutExtension(segments[2]), System.Globalization.CultureInfo.InvariantCulture);
        long cut = RecordPositions(segments[1])[4] + 10;
        using (FileStream stream = new(segments[1], FileMode.Open))
        {
            stream.SetLength(cut);
        }

        await using PartitionLog reopened = Open(dir.Path, Options(segmentBytes: 2048));
        AssertPayloads(ReadAll(reopened), Enumerable.Range(0, 200).Select(i => (long)i).Where(o => o < baseOffset + 4 || o >= next));
        Assert.True(reopened.Stats.CorruptionsSkipped >= 1);
    }

    [Fact]
    public async Task An_empty_log_starts_at_offset_zero_and_a_torn_first_record_leaves_it_empty()
    {
        using TempDirectory dir = new();
        await using (PartitionLog log = Open(dir.Path, Options()))
        {
            Assert.Equal(0, log.NextOffset);
            Assert.Equal(new LogPosition(0, 0, 0), log.DurableEnd);
            Assert.Empty(ReadAll(log));
        }

        File.WriteAllBytes(SegmentFiles(dir.Path)[0], new byte[10]);
        await using PartitionLog reopened = Open(dir.Path, Options());
        Assert.Equal(0, reopened.NextOffset);
        Assert.Equal(10, reopened.Stats.RecoveryTruncatedBytes);
        await AppendRangeAsync(reopened, 0, 3);
        AssertPayloads(ReadAll(reopened), [0, 1, 2]);
    }
}
