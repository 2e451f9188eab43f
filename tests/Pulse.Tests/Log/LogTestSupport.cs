using System.Buffers.Binary;
using Microsoft.Extensions.Logging.Abstractions;
using Pulse.Events;
using Pulse.Hosting;
using Pulse.Log;

namespace Pulse.Tests.Log;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(long startMs) : TimeProvider
{
    private long _nowMs = startMs;

    public long NowMs => Interlocked.Read(ref _nowMs);

    public void Advance(long ms) => Interlocked.Add(ref _nowMs, ms);

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(NowMs);
}

internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pulse-log-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class LogTestSupport
{
    public const long StartMs = 1_795_300_000_000;

    public static LogOptions Options(long segmentBytes = 4096, int maxPendingBytes = 1 << 24, bool fsync = true) => new()
    {
        SegmentBytes = segmentBytes,
        MaxPendingBytes = maxPendingBytes,
        Fsync = fsync,
        RetentionAge = TimeSpan.FromDays(7),
        RetentionBytesPerPartition = long.MaxValue,
    };

    public static PartitionLog Open(string directory, LogOptions options, TimeProvider? clock = null) =>
        PartitionLog.Open(directory, 0, options, clock ?? new ManualClock(StartMs), NullLogger.Instance);

    /// <summary>A deterministic payload for offset <paramref name="n"/>: its number then seeded bytes, 40..160 bytes long.</summary>
    public static byte[] Payload(long n)
    {
        Random random = new((int)n + 17);
        byte[] payload = new byte[40 + random.Next(121)];
        random.NextBytes(payload);
        BinaryPrimitives.WriteInt64LittleEndian(payload, n);
        return payload;
    }

    public static AppendTicket AppendOne(PartitionLog log, byte[] payload) =>
        log.Append(payload, [new FieldSlice(0, payload.Length)]);

    /// <summary>Appends payloads n = from..from+count-1 in batches of up to 7 and waits until they are durable.</summary>
    public static async Task AppendRangeAsync(PartitionLog log, long from, int count)
    {
        List<Task> pending = [];
        long n = from;
        while (n < from + count)
        {
            int batch = (int)Math.Min(1 + (n % 7), from + count - n);
            List<byte> buffer = [];
            FieldSlice[] slices = new FieldSlice[batch];
            for (int i = 0; i < batch; i++)
            {
                byte[] payload = Payload(n + i);
                slices[i] = new FieldSlice(buffer.Count, payload.Length);
                buffer.AddRange(payload);
            }

            AppendTicket ticket = log.Append(buffer.ToArray(), slices);
            Assert.Equal(n, ticket.FirstOffset);
            Assert.Equal(n + batch - 1, ticket.LastOffset);
            pending.Add(ticket.Durable);
            n += batch;
        }

        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(10));
    }

    public static List<(long Offset, long Timestamp, byte[] Payload)> ReadAll(LogReader reader, int maxRecords = 13)
    {
        List<(long, long, byte[])> records = [];
        using LogRecordBatch batch = new(bufferBytes: 1024);
        while (reader.Read(batch, maxRecords) > 0)
        {
            for (int i = 0; i < batch.Count; i++)
            {
                records.Add((batch.GetOffset(i), batch.GetTimestamp(i), batch.GetPayload(i).ToArray()));
            }
        }

        return records;
    }

    public static List<(long Offset, long Timestamp, byte[] Payload)> ReadAll(PartitionLog log, long fromOffset = 0)
    {
        using LogReader reader = log.OpenReader(fromOffset);
        return ReadAll(reader);
    }

    public static void AssertPayloads(IReadOnlyList<(long Offset, long Timestamp, byte[] Payload)> records, IEnumerable<long> expectedOffsets)
    {
        int i = 0;
        foreach (long expected in expectedOffsets)
        {
            Assert.True(i < records.Count, $"missing record {expected}");
            Assert.Equal(expected, records[i].Offset);
            Assert.Equal(Payload(expected), records[i].Payload);
            i++;
        }

        Assert.Equal(i, records.Count);
    }

    public static string[] SegmentFiles(string directory)
    {
        string[] files = Directory.GetFiles(directory, "*.log");
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>Start positions of the records in a segment file, by walking the length prefixes.</summary>
    public static List<long> RecordPositions(string segmentPath)
    {
        byte[] bytes = File.ReadAllBytes(segmentPath);
        List<long> positions = [];
        int pos = 0;
        while (pos + 24 <= bytes.Length)
        {
            positions.Add(pos);
            pos += 24 + (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos));
        }

        return positions;
    }

    public static void FlipByte(string path, long position)
    {
        using FileStream stream = new(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = position;
        int value = stream.ReadByte();
        stream.Position = position;
        stream.WriteByte((byte)(value ^ 0x10));
    }
}
