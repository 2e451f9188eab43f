using Pulse.Analytics;
using Pulse.Events;
using Pulse.Log;

namespace Pulse.Processing;

/// <summary>
/// At start, before the processor runs: reads back from the log the events a restored partition's
/// analytics were holding for the watermark (see <see cref="PartitionAnalytics.Rederive"/>). The
/// range is about the allowed lateness of the log's most recent records, read once.
/// </summary>
public static class PendingEventRecovery
{
    /// <returns>The records read.</returns>
    public static long Recover(PartitionLog log, PartitionState state)
    {
        if (state.Analytics is not { } analytics || analytics.RederiveFrom is not long from)
        {
            return 0;
        }

        long read = 0;
        lock (state.Gate)
        {
            using LogReader reader = log.OpenReader(from);
            using var batch = new LogRecordBatch();
            long through = analytics.RederiveThrough;
            while (reader.Position.Offset <= through)
            {
                int n = reader.Read(batch, 4096);
                if (n == 0)
                {
                    break;
                }

                for (int i = 0; i < n; i++)
                {
                    long offset = batch.GetOffset(i);
                    if (offset > through)
                    {
                        break;
                    }

                    Rederive(state, analytics, batch.GetPayload(i), offset);
                    read++;
                }
            }

            analytics.FinishRederive();
        }

        return read;
    }

    /// <summary>One record; one that does not decode was skipped by the processor too.</summary>
    public static void Rederive(PartitionState state, PartitionAnalytics analytics, ReadOnlySpan<byte> payload, long offset)
    {
        try
        {
            var e = new EncodedEvent(payload);
            (int type, int page, int product, int country, int device) = state.DimensionsOf(e);
            analytics.Rederive(e, offset, type, page, product, country, device);
        }
        catch (InvalidDataException)
        {
        }
    }
}
