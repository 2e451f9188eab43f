using Pulse.Analytics.Funnels;
using Pulse.Processing.Aggregation;

namespace Pulse.Analytics;

/// <summary>
/// Funnels: inside one session, in event time, a user reaches step k+1 with the first event after
/// step k that satisfies its predicate, within the funnel's time limit from step 1. Each step
/// reached is counted (sessions exactly, users by sketch) in the bucket of the session's step 1, so a
/// query over a range reads the funnels entered in it and conversions never exceed 1.
/// </summary>
public sealed partial class PartitionAnalytics
{
    private readonly Dictionary<FunnelCellKey, FunnelCell> _funnelCells = [];
    private readonly List<FunnelCellKey> _dirtyFunnels = [];

    public IReadOnlyDictionary<FunnelCellKey, FunnelCell> FunnelCells => _funnelCells;

    private void PrefetchFunnels(UserActivity user, in UserEvent e, bool restart)
    {
        for (int f = 0; f < Funnels.Count; f++)
        {
            FunnelProgress progress = restart ? default : user.Funnels[f];
            if (NextStep(Funnels[f], progress, e) is int step)
            {
                long first = step == 0 ? e.TimeMs : progress.FirstStepMs;
                foreach (Resolution r in AggregateResolutions)
                {
                    FunnelCellAt(new FunnelCellKey(Funnels[f].Name, step, r, r.BucketStart(first)));
                }
            }
        }
    }

    private void AdvanceFunnels(UserActivity user, in UserEvent e)
    {
        for (int f = 0; f < Funnels.Count; f++)
        {
            ref FunnelProgress progress = ref user.Funnels[f];
            if (NextStep(Funnels[f], progress, e) is not int step)
            {
                continue;
            }

            if (step == 0)
            {
                progress.FirstStepMs = e.TimeMs;
            }

            progress.Reached = step + 1;
            foreach (Resolution r in AggregateResolutions)
            {
                var key = new FunnelCellKey(Funnels[f].Name, step, r, r.BucketStart(progress.FirstStepMs));
                FunnelCell cell = FunnelCellAt(key);
                cell.Sessions++;
                cell.Users.Add(user.UserHash);
                if (!cell.Dirty)
                {
                    cell.Dirty = true;
                    _dirtyFunnels.Add(key);
                }
            }
        }
    }

    /// <summary>The step the event reaches (0-based), or null when it reaches none.</summary>
    private static int? NextStep(Funnel funnel, in FunnelProgress progress, in UserEvent e)
    {
        int step = progress.Reached;
        if (step >= funnel.StepCount || (e.Predicates & funnel.StepMasks[step]) == 0)
        {
            return null;
        }

        if (step > 0 && funnel.WithinMs > 0 && e.TimeMs - progress.FirstStepMs > funnel.WithinMs)
        {
            return null;
        }

        return step;
    }

    private FunnelCell FunnelCellAt(in FunnelCellKey key)
    {
        if (!_funnelCells.TryGetValue(key, out FunnelCell? cell))
        {
            cell = (MayBeStored(key.Bucket) ? _store.TryLoadFunnelCell(Partition, key) : null) ?? new FunnelCell();
            cell.Dirty = false;
            _funnelCells.Add(key, cell);
        }

        return cell;
    }
}
