using Pulse.Processing.Aggregation;

namespace Pulse.Query;

/// <summary>Which of the minute, hour and day aggregates (sessions, funnels, user metrics) answers a range exactly.</summary>
internal static class AggregateResolution
{
    /// <summary>
    /// The coarsest resolution that divides the step (and a hopping window's hop) and whose
    /// boundaries the range, widened to whole steps, falls on; minute when none does (the range is
    /// then widened to minutes).
    /// </summary>
    public static Resolution Choose(long stepMs, long hopMs, long from, long to)
    {
        foreach (Resolution r in (ReadOnlySpan<Resolution>)[Resolution.Day, Resolution.Hour, Resolution.Minute])
        {
            long w = r.WidthMs();
            bool divides = (stepMs == 0 || stepMs % w == 0) && (hopMs == 0 || hopMs % w == 0);
            long unit = stepMs > 0 ? stepMs : w;
            if (divides && QueryPlan.FloorTo(from, unit) % w == 0 && QueryPlan.CeilTo(to, unit) % w == 0 && (stepMs > 0 || (from % w == 0 && to % w == 0)))
            {
                return r;
            }
        }

        return Resolution.Minute;
    }
}
