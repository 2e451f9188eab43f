using Pulse.Events;
using Pulse.Log;
using static Pulse.Tests.Log.LogTestSupport;

namespace Pulse.Tests.Log;

public sealed class PartitionLogAppendReadTests
{
    [Fact]
    public async Task Round_trip_across_segment_rolls_keeps_offsets_consecutive()
    {
        using TempDirectory dir = new();
        await using PartitionLog log = Open(dir.Path, Options(segmentBytes: 2048));

        await AppendRangeAsync(log, 0, 300);

        Assert.Equal(300, log.NextOffset);
        Assert.Equal(300, log.DurableEnd.Offset);
        Assert.True(SegmentFiles(dir.Path).Length >= 10, "expected several segment rolls");
        foreach (string file in SegmentFiles(dir.Path))
        {
            Assert.True(new FileInfo(file).Length <= 2048);
        }

        List<(long Offset, long Timestamp, byte[] Payload)> records = ReadAll(log);
        AssertPayloads(records, Enumerable.Range(0, 300).Select(i => (long)i));
        Assert.All(records, r => Assert.Equal(StartMs, r.Timestamp));
        Assert.Equal(300, log.Stats.AppendedRecords);
        Assert.Equal(SegmentFiles(dir.Path).Length, log.Stats.Segments);
    }

    [Fact]
    public async Task Sealed_segments_get_an_index_file_and_reopen_keeps_everything()
    {
        using TempDirectory dir = new();
        LogPosition end;
        await using (PartitionLog log = Open(dir.Path, Options(segmentBytes: 2048)))
        {
            await AppendRangeAsync(log, 0, 200);
            end = log.DurableEnd;
        }

        string[] segments = SegmentFiles(dir.Path);
        for (int i = 0; i < segments.Length - 1; i++)
        {
            Assert.True(File.Exists(Path.ChangeExtension(segments[i], ".idx")), "sealed segment without index");
        }

        await using (PartitionLog log = Open(dir.Path, Options(segmentBytes: 2048)))
        {
            Assert.Equal(end, log.DurableEnd);
            Assert.Equal(200, log.NextOffset);
            Assert.Equal(0, log.Stats.RecoveryTruncations);
            await AppendRangeAsync(log, 200, 50);
            AssertPayloads(ReadAll(log), Enumerable.Range(0, 250).Select(i => (long)i));
        }

        await using (PartitionLog log = Open(dir.Path, Options(segmentBytes: 2048)))
        {
            AssertPayloads(ReadAll(log), Enumerable.Range(0, 250).Select(i => (long)i));
        }
    }

    [Fact]
    public async Task Reader_resumes_from_its_position_and_picks_up_new_durable_records()
    {
        using TempDirectory dir = new();
        await using PartitionLog log = Open(dir.Path, Options(segmentBytes: 2048));
        await AppendRangeAsync(log, 0, 40);

        LogPosition resumeAt;
        using (LogReader reader = log.OpenReader(0))
        {
            using LogRecordBatch batch = new();
            Assert.Equal(25, reader.Read(batch, 25));
            resumeAt = reader.Position;
            Assert.Equal(25, resumeAt.Offset);
        }

        using LogReader resumed = log.OpenReader(resumeAt);
        AssertPayloads(ReadAll(resumed), Enumerable.Range(25, 15).Select(i => (long)i));
        await AppendRangeAsync(log, 40, 60);
        AssertPayloads(ReadAll(resumed), Enumerable.Range(40, 60).Select(i => (long)i));
    }

    [Fact]
    public async Task Reader_never_passes_the_durable_end()
    {
        using TempDirectory dir = new();
        await using PartitionLog log = Open(dir.Path, Options());
        await AppendRangeAsync(log, 0, 5);

        using ManualResetEventSlim release = new(false);
        using ManualResetEventSlim written = new(false);
        log.BeforeDurable = () =>
        {
            written.Set();
            release.Wait(TimeSpan.FromSeconds(10));
        };

        AppendTicket ticket = AppendOne(log, Payload(5));
        Assert.True(written.Wait(TimeSpan.FromSeconds(10)));

        // The record is in the file and fsynced, but not yet published as durable.
        using LogReader reader = log.OpenReader(0);
        using LogRecordBatch batch = new();
        Assert.Equal(5, reader.Read(batch, 100));
        Assert.Equal(0, reader.Read(batch, 100));
        Assert.Equal(5, log.DurableEnd.Offset);
        Task waiter = log.WaitForDurableAsync(5, CancellationToken.None);
        Assert.False(waiter.IsCompleted);

        log.BeforeDurable = null;
        release.Set();
        await ticket.Durable.WaitAsync(TimeSpan.FromSeconds(10));
        await waiter.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, reader.Read(batch, 100));
        Assert.Equal(5, batch.GetOffset(0));
        Assert.Equal(Payload(5), batch.GetPayload(0).ToArray());
    }

    [Fact]
    public async Task One_fsync_covers_every_append_queued_behind_it()
    {
        using TempDirectory dir = new();
        await using PartitionLog log = Open(dir.Path, Options(segmentBytes: 1 << 24));
        using ManualResetEventSlim release = new(false);
        using ManualResetEventSlim blocked = new(false);
        log.BeforeDurable = () =>
        {
            blocked.Set();
            release.Wait(TimeSpan.FromSeconds(10));
        };

        AppendTicket first = AppendOne(log, Payload(0));
        Assert.True(blocked.Wait(TimeSpan.FromSeconds(10)));
        log.BeforeDurable = null;

        // While the first cycle is stuck, 400 appends from 8 threads queue up behind it.
        Task<AppendTicket[]>[] appenders = new Task<AppendTicket[]>[8];
        for (int t = 0; t < appenders.Length; t++)
        {
            appenders[t] = Task.Run(() =>
            {
                AppendTicket[] tickets = new AppendTicket[50];
                for (int i = 0; i < tickets.Length; i++)
                {
                    tickets[i] = AppendOne(log, Payload(1000));
                }

                return tickets;
            });
        }

        AppendTicket[][] all = await Task.WhenAll(appenders).WaitAsync(TimeSpan.FromSeconds(10));
        long fsyncsBefore = log.Stats.Fsyncs;
        release.Set();
        await first.Durable.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.WhenAll(all.SelectMany(a => a).Select(a => a.Durable)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, fsyncsBefore);
        Assert.Equal(2, log.Stats.Fsyncs);
        List<long> offsets = all.SelectMany(a => a).Select(a => a.FirstOffset).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 400).Select(i => (long)i), offsets);
        Task[] distinct = all.SelectMany(a => a).Select(a => a.Durable).Distinct().ToArray();
        Assert.Same(distinct[0], distinct[^1]);
    }

    [Fact]
    public async Task Concurrent_appenders_get_unique_consecutive_offsets_with_far_fewer_fsyncs()
    {
        using TempDirectory dir = new();
        await using PartitionLog log = Open(dir.Path, Options(segmentBytes: 64 * 1024));
        const int Appenders = 16;
        const int PerAppender = 100;
        Task<List<long>>[] tasks = new Task<List<long>>[Appenders];
        for (int t = 0; t < Appenders; t++)
        {
            tasks[t] = Task.Run(async () =>
            {
                List<long> mine = [];
                for (int i = 0; i < PerAppender; i++)
                {
                    AppendTicket ticket = AppendOne(log, Payload(7));
                    await ticket.Durable;
                    mine.Add(ticket.FirstOffset);
                }

                return mine;
            });
        }

        List<long>[] results = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));
        List<long> offsets = results.SelectMany(r => r).Order().ToList();
        Assert.Equal(Enumerable.Range(0, Appenders * PerAppender).Select(i => (long)i), offsets);
        Assert.True(log.Stats.Fsyncs < Appenders * PerAppender / 2, $"{log.Stats.Fsyncs} fsyncs for {Appenders * PerAppender} appends");
        Assert.Equal(Appenders * PerAppender, ReadAll(log).Count);
    }

    [Fact]
    public async Task Append_throws_LogFull_over_the_pending_limit_and_room_returns_after_the_flush()
    {
        using TempDirectory dir = new();
        await using PartitionLog log = Open(dir.Path, Options(maxPendingBytes: 4096));
        using ManualResetEventSlim release = new(false);
        log.BeforeDurable = () => release.Wait(TimeSpan.FromSeconds(10));

        List<Task> durable = [];
        byte[] payload = new byte[200];
        Assert.Throws<LogFullException>(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                durable.Add(AppendOne(log, payload).Durable);
            }
        });

        // The append that crosses the limit is taken (it saw room); the next one is refused.
        Assert.Equal((4096 / 224) + 1, durable.Count);
        Assert.False(log.HasRoom);
        Assert.False(await log.WaitForRoomAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None));

        ValueTask<bool> room = log.WaitForRoomAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        log.BeforeDurable = null;
        release.Set();
        Assert.True(await room);
        await Task.WhenAll(durable).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(log.HasRoom);
        AppendTicket next = AppendOne(log, payload);
        Assert.Equal(durable.Count, next.FirstOffset);
        await next.Durable.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Dispose_flushes_pending_appends()
    {
        using TempDirectory dir = new();
        Task[] durable = new Task[50];
        await using (PartitionLog log = Open(dir.Path, Options(segmentBytes: 2048)))
        {
            for (int i = 0; i < durable.Length; i++)
            {
                durable[i] = AppendOne(log, Payload(i)).Durable;
            }
        }

        await Task.WhenAll(durable).WaitAsync(TimeSpan.FromSeconds(10));
        await using PartitionLog reopened = Open(dir.Path, Options(segmentBytes: 2048));
        AssertPayloads(ReadAll(reopened), Enumerable.Range(0, 50).Select(i => (long)i));
    }

    [Fact]
    public async Task Append_with_several_payloads_slices_the_shared_buffer()
    {
        using TempDirectory dir = new();
        await using PartitionLog log = Open(dir.Path, Options());
        byte[] buffer = "xxhelloyyworldz"u8.ToArray();
        AppendTicket ticket = log.Append(buffer, [new FieldSlice(2, 5), new FieldSlice(9, 5), new FieldSlice(0, 0)]);
        await ticket.Durable;
        Assert.Equal((0L, 2L), (ticket.FirstOffset, ticket.LastOffset));
        List<(long Offset, long Timestamp, byte[] Payload)> records = ReadAll(log);
        Assert.Equal("hello"u8.ToArray(), records[0].Payload);
        Assert.Equal("world"u8.ToArray(), records[1].Payload);
        Assert.Empty(records[2].Payload);
    }
}
