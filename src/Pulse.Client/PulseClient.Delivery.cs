using System.Diagnostics;
using System.Net;
using System.Threading.Channels;
using Pulse.Client.Internal;

namespace Pulse.Client;

/// <summary>The delivery loop: batches from the queue, sends each with retries, settles it, repeats.</summary>
public sealed partial class PulseClient
{
    private readonly EventsSender _sender;
    private readonly Backoff _backoff;
    private readonly Task _delivery;
    private readonly CancellationTokenSource _abort = new();
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _flushTarget;
    private long _accepted;
    private long _duplicates;
    private long _rejected;
    private long _failed;
    private long _retries;
    private long _requests;

    private async Task DeliverAllAsync()
    {
        ChannelReader<PulseEvent> queue = _queue.Reader;
        var batch = new List<PulseEvent>(_options.MaxBatchSize);
        using var payload = new BatchPayloadWriter();
        // Completes (false) once the queue is closed by shutdown and empty.
        while (await queue.WaitToReadAsync().ConfigureAwait(false))
        {
            long sendBy = Stopwatch.GetTimestamp() + (long)(_options.MaxBatchDelay.TotalSeconds * Stopwatch.Frequency);
            while (batch.Count < _options.MaxBatchSize)
            {
                if (queue.TryRead(out PulseEvent? next))
                {
                    batch.Add(next);
                }
                else if (!await MoreWithinAsync(queue, sendBy).ConfigureAwait(false))
                {
                    break;
                }
            }

            await DeliverAsync(batch, payload).ConfigureAwait(false);
            _flushes.Settle(batch.Count);
            batch.Clear();
            Volatile.Write(ref _overflowWarned, 0);
        }
    }

    /// <summary>Waits for another event until <paramref name="sendBy"/>; false when the batch should go now.</summary>
    private async ValueTask<bool> MoreWithinAsync(ChannelReader<PulseEvent> queue, long sendBy)
    {
        var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _wake, wake);
        // Read after publishing the wake-up, so a flush that came between is not missed.
        if (FlushPending())
        {
            return false;
        }

        TimeSpan remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), sendBy);
        if (remaining <= TimeSpan.Zero)
        {
            return false;
        }

        using var lingerEnd = new CancellationTokenSource();
        Task<bool> readable = queue.WaitToReadAsync(lingerEnd.Token).AsTask();
        Task linger = Task.Delay(remaining, lingerEnd.Token);
        Task first = await Task.WhenAny(readable, linger, wake.Task).ConfigureAwait(false);
        await lingerEnd.CancelAsync().ConfigureAwait(false);
        return first == readable && readable.IsCompletedSuccessfully && readable.Result;
    }

    /// <summary>A flush (or shutdown) waits for events not yet settled, which begin with the ones in hand.</summary>
    private bool FlushPending() => Volatile.Read(ref _flushTarget) > _flushes.Settled;

    private void RequestFlush(long target)
    {
        long seen = Volatile.Read(ref _flushTarget);
        while (target > seen)
        {
            long was = Interlocked.CompareExchange(ref _flushTarget, target, seen);
            if (was == seen)
            {
                break;
            }

            seen = was;
        }

        Volatile.Read(ref _wake).TrySetResult();
    }

    private async Task DeliverAsync(List<PulseEvent> batch, BatchPayloadWriter payload)
    {
        if (_abort.IsCancellationRequested)
        {
            GiveUp(batch.Count, "the client shut down before it was sent");
            return;
        }

        // Serialised once: every attempt sends the same bytes, hence the same event ids.
        ArraySegment<byte> body = payload.Write(batch, _options.Compress);
        for (int attempt = 1; ; attempt++)
        {
            SendOutcome outcome;
            try
            {
                Interlocked.Increment(ref _requests);
                outcome = await _sender.SendAsync(body, _abort.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                GiveUp(batch.Count, "the shutdown bound passed while it was being sent");
                return;
            }

            switch (outcome.Result)
            {
                case SendResult.Answered:
                    Record(batch, outcome);
                    return;
                case SendResult.Permanent:
                    GiveUp(batch.Count, outcome.Error);
                    return;
            }

            if (attempt >= _options.MaxAttempts)
            {
                GiveUp(batch.Count, $"{outcome.Error} after {attempt} attempts");
                return;
            }

            TimeSpan delay = _backoff.Delay(attempt, outcome.RetryAfter);
            ClientLog.Retrying(_logger, batch.Count, attempt, _options.MaxAttempts, outcome.Error, delay);
            try
            {
                await Task.Delay(delay, _abort.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                GiveUp(batch.Count, $"{outcome.Error}; the shutdown bound passed before a retry");
                return;
            }

            Interlocked.Increment(ref _retries);
        }
    }

    private void Record(List<PulseEvent> batch, SendOutcome outcome)
    {
        IngestAnswer answer = outcome.Answer!;
        if (outcome.Status == HttpStatusCode.BadRequest)
        {
            // Nothing was valid: the whole batch is refused, whatever count the problem carries.
            Interlocked.Add(ref _rejected, batch.Count);
        }
        else
        {
            Interlocked.Add(ref _accepted, answer.Accepted);
            Interlocked.Add(ref _duplicates, answer.Duplicates);
            Interlocked.Add(ref _rejected, answer.Rejected);
        }

        foreach ((int index, string error) in answer.Errors)
        {
            if ((uint)index < (uint)batch.Count)
            {
                ClientLog.Rejected(_logger, batch[index].EventId, batch[index].Type, error);
            }
        }
    }

    private void GiveUp(int count, string? error)
    {
        Interlocked.Add(ref _failed, count);
        if (_abort.IsCancellationRequested)
        {
            ClientLog.Abandoned(_logger, count, _options.ShutdownTimeout);
        }
        else
        {
            ClientLog.GaveUp(_logger, count, error);
        }
    }
}
