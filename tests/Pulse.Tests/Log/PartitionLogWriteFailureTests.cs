using Pulse.Log;
using static Pulse.Tests.Log.LogTestSupport;

namespace Pulse.Tests.Log;

public sealed class PartitionLogWriteFailureTests
{
    [Fact]
    public async Task A_failed_write_rejects_its_appends_cuts_the_file_back_and_the_log_continues()
    {
        using TempDirectory dir = new();
        await using (PartitionLog log = Open(dir.Path, Options(segmentBytes: 1 << 20)))
        {
            await AppendRangeAsync(log, 0, 20);
            long lengthBefore = new FileInfo(SegmentFiles(dir.Path)[0]).Length;

            log.InjectWriteFault = _ => new IOException("No space left on device");
            AppendTicket failed = AppendOne(log, Payload(20));
            IOException error = await Assert.ThrowsAsync<IOException>(() => failed.Durable.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal("No space left on device", error.Message);
            log.InjectWriteFault = null;

            Assert.True(log.IsHealthy);
            Assert.Same(error, log.LastError);
            Assert.Equal(1, log.Stats.WriteErrors);
            Assert.Equal(20, log.NextOffset);
            Assert.Equal(20, log.DurableEnd.Offset);
            Assert.Equal(lengthBefore, new FileInfo(SegmentFiles(dir.Path)[0]).Length);

            // The offset of the rejected record is given again: the log has no gap.
            await AppendRangeAsync(log, 20, 10);
            AssertPayloads(ReadAll(log), Enumerable.Range(0, 30).Select(i => (long)i));
        }

        await using PartitionLog reopened = Open(dir.Path, Options(segmentBytes: 1 << 20));
        Assert.Equal(0, reopened.Stats.RecoveryTruncations);
        AssertPayloads(ReadAll(reopened), Enumerable.Range(0, 30).Select(i => (long)i));
    }

    [Fact]
    public async Task A_write_failing_after_a_roll_removes_the_new_segment_and_unseals_the_old()
    {
        using TempDirectory dir = new();
        await using (PartitionLog log = Open(dir.Path, Options(segmentBytes: 2048)))
        {
            await AppendRangeAsync(log, 0, 5);
            Assert.Single(SegmentFiles(dir.Path));

            // One cycle large enough to roll twice; the second file write fails.
            using ManualResetEventSlim release = new(false);
            using ManualResetEventSlim blocked = new(false);
            log.BeforeDurable = () =>
            {
                blocked.Set();
                release.Wait(TimeSpan.FromSeconds(10));
            };
            AppendTicket blocker = AppendOne(log, Payload(5));
            Assert.True(blocked.Wait(TimeSpan.FromSeconds(10)));
            Task[] queued = new Task[60];
            for (int i = 0; i < queued.Length; i++)
            {
                queued[i] = AppendOne(log, Payload(6 + i)).Durable;
            }

            int writes = 0;
            log.InjectWriteFault = _ => ++writes == 2 ? new IOException("disk failed") : null;
            log.BeforeDurable = null;
            release.Set();
            await blocker.Durable.WaitAsync(TimeSpan.FromSeconds(10));
            foreach (Task task in queued)
            {
                await Assert.ThrowsAsync<IOException>(() => task.WaitAsync(TimeSpan.FromSeconds(10)));
            }

            log.InjectWriteFault = null;
            Assert.True(log.IsHealthy);
            Assert.Equal(6, log.NextOffset);
            Assert.Single(SegmentFiles(dir.Path));
            Assert.Empty(Directory.GetFiles(dir.Path, "*.idx"));

            await AppendRangeAsync(log, 6, 100);
            AssertPayloads(ReadAll(log), Enumerable.Range(0, 106).Select(i => (long)i));
        }

        await using PartitionLog reopened = Open(dir.Path, Options(segmentBytes: 2048));
        Assert.Equal(0, reopened.Stats.RecoveryTruncations);
        AssertPayloads(ReadAll(reopened), Enumerable.Range(0, 106).Select(i => (long)i));
    }

    [Fact]
    public async Task When_the_rollback_fails_too_appends_are_refused_until_recovered()
    {
        using TempDirectory dir = new();
        await using PartitionLog log = Open(dir.Path, Options());
        await AppendRangeAsync(log, 0, 3);

        log.InjectWriteFault = _ => new IOException("I/O error");
        log.BeforeRollback = () => throw new IOException("still failing");
        AppendTicket failed = AppendOne(log, Payload(3));
        await Assert.ThrowsAsync<IOException>(() => failed.Durable.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.False(log.IsHealthy);
        Assert.Equal("still failing", log.LastError?.Message);
        LogUnavailableException refused = Assert.Throws<LogUnavailableException>(() => AppendOne(log, Payload(3)));
        Assert.IsType<IOException>(refused.InnerException);
        Assert.False(log.TryRecover());

        log.InjectWriteFault = null;
        log.BeforeRollback = null;
        Assert.True(log.TryRecover());
        Assert.True(log.IsHealthy);
        await AppendRangeAsync(log, 3, 4);
        AssertPayloads(ReadAll(log), Enumerable.Range(0, 7).Select(i => (long)i));
    }
}
