using Microsoft.Extensions.Logging.Abstractions;
using Pulse.Log;
using static Pulse.Tests.Log.LogTestSupport;

namespace Pulse.Tests.Log;

public sealed class PartitionedLogTests
{
    [Fact]
    public async Task Partitions_live_in_their_own_directories_and_keep_their_data()
    {
        using TempDirectory dir = new();
        ManualClock clock = new(StartMs);
        await using (PartitionedLog log = PartitionedLog.Open(dir.Path, 3, Options(), clock, NullLoggerFactory.Instance))
        {
            Assert.Equal(3, log.Count);
            for (int p = 0; p < log.Count; p++)
            {
                Assert.Equal(p, log[p].Partition);
                await AppendRangeAsync(log[p], 0, 5 + p);
            }
        }

        Assert.True(File.Exists(Path.Combine(dir.Path, "log", "meta.json")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "log", "p-002", "00000000000000000000.log")));

        await using PartitionedLog reopened = PartitionedLog.Open(dir.Path, 0, Options(), clock, NullLoggerFactory.Instance);
        Assert.Equal(3, reopened.Count);
        for (int p = 0; p < reopened.Count; p++)
        {
            AssertPayloads(ReadAll(reopened[p]), Enumerable.Range(0, 5 + p).Select(i => (long)i));
        }
    }

    [Fact]
    public async Task Opening_with_another_partition_count_fails_clearly()
    {
        using TempDirectory dir = new();
        await using (PartitionedLog.Open(dir.Path, 2, Options(), TimeProvider.System, NullLoggerFactory.Instance))
        {
        }

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(
            () => PartitionedLog.Open(dir.Path, 4, Options(), TimeProvider.System, NullLoggerFactory.Instance));
        Assert.Contains("2 partitions", error.Message);
        Assert.Contains("4 are configured", error.Message);
    }
}
