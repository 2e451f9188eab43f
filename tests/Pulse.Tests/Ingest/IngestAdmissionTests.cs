using System.Threading.RateLimiting;
using Pulse.Hosting;
using Pulse.Http;

namespace Pulse.Tests.Ingest;

public sealed class IngestAdmissionTests
{
    [Fact]
    public async Task Admits_up_to_the_limit_queues_a_bounded_number_and_sheds_the_rest()
    {
        using var admission = new IngestAdmission(new IngestOptions { MaxConcurrentBatches = 1, MaxQueuedBatches = 1, MaxQueueWait = TimeSpan.FromSeconds(30) });
        RateLimitLease first = (await admission.EnterAsync(CancellationToken.None))!;
        Assert.NotNull(first);

        ValueTask<RateLimitLease?> queued = admission.EnterAsync(CancellationToken.None);
        Assert.False(queued.IsCompleted);
        // The queue is full: shed at once, no wait.
        Assert.Null(await admission.EnterAsync(CancellationToken.None));

        // The endpoint disposes the lease twice (after the append, and at the end of the request):
        // that must give back one permit, not two.
        first.Dispose();
        first.Dispose();
        using RateLimitLease second = (await queued)!;
        Assert.NotNull(second);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await admission.EnterAsync(timeout.Token));
    }

    [Fact]
    public async Task A_request_waits_at_most_the_queue_wait_then_is_shed()
    {
        using var admission = new IngestAdmission(new IngestOptions { MaxConcurrentBatches = 1, MaxQueuedBatches = 8, MaxQueueWait = TimeSpan.FromMilliseconds(100) });
        using RateLimitLease held = (await admission.EnterAsync(CancellationToken.None))!;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        Assert.Null(await admission.EnterAsync(CancellationToken.None));
        Assert.InRange(waited.Elapsed, TimeSpan.FromMilliseconds(90), TimeSpan.FromSeconds(10));
        Assert.Equal(1, admission.Concurrency);
    }
}
