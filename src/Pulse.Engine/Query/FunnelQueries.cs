using Pulse.Analytics;
using Pulse.Analytics.Funnels;
using Pulse.Processing;
using Pulse.Processing.Aggregation;
using Pulse.Processing.State;
using Pulse.Store;

namespace Pulse.Query;

/// <summary>One step of a funnel's answer.</summary>
/// <param name="Name">The step's name.</param>
/// <param name="Users">Distinct users who reached it (HyperLogLog, ≤2% error).</param>
/// <param name="Sessions">Sessions that reached it (exact).</param>
/// <param name="Conversion">Of the users who reached the step before it, the share who reached this one (1 for the first).</param>
/// <param name="Overall">Of the users who entered the funnel, the share who reached this one.</param>
public sealed record FunnelStepResult(string Name, long Users, long Sessions, double Conversion, double Overall);

public sealed record FunnelResult(string Name, long From, long To, string Resolution, IReadOnlyList<FunnelStepResult> Steps);

/// <summary>
/// Answers <c>GET /v1/funnels/{name}</c> from the funnel step aggregates (resident in each
/// partition's analytics, else stored), for the sessions whose first step fell in the range.
/// </summary>
public sealed class FunnelQueries(IReadOnlyList<PartitionState> states, IRollupScans store)
{
    public IReadOnlyList<Funnel> Funnels => states.Count > 0 && states[0].Analytics is { } a ? a.Funnels : [];

    public FunnelResult? Execute(string name, long from, long to)
    {
        Funnel? funnel = null;
        foreach (Funnel f in Funnels)
        {
            funnel = f.Name == name ? f : funnel;
        }

        if (funnel is null)
        {
            return null;
        }

        Resolution resolution = AggregateResolution.Choose(0, 0, from, to);

        long width = resolution.WidthMs();
        from = QueryPlan.FloorTo(from, width);
        to = QueryPlan.CeilTo(to, width);
        long[] sessions = new long[funnel.StepCount];
        var users = new HyperLogLog[funnel.StepCount];
        for (int s = 0; s < users.Length; s++)
        {
            users[s] = new HyperLogLog();
        }

        var resident = new HashSet<(int Partition, int Step, long Bucket)>();
        foreach (PartitionState state in states)
        {
            if (state.Analytics is not { } analytics)
            {
                continue;
            }

            lock (state.Gate)
            {
                foreach (KeyValuePair<FunnelCellKey, FunnelCell> entry in analytics.FunnelCells)
                {
                    FunnelCellKey key = entry.Key;
                    if (key.Funnel == name && key.Resolution == resolution && key.Bucket >= from && key.Bucket < to)
                    {
                        resident.Add((state.Partition, key.Step, key.Bucket));
                        sessions[key.Step] += entry.Value.Sessions;
                        users[key.Step].Merge(entry.Value.Users);
                    }
                }
            }
        }

        foreach (StoredFunnelCell row in store.ScanFunnelCells(name, resolution, from, to))
        {
            if (row.Step < funnel.StepCount && !resident.Contains((row.Partition, row.Step, row.Bucket)))
            {
                sessions[row.Step] += row.Sessions;
                users[row.Step].Merge(row.Users);
            }
        }

        var steps = new List<FunnelStepResult>(funnel.StepCount);
        long first = 0, previous = 0;
        for (int s = 0; s < funnel.StepCount; s++)
        {
            // A sketch may put a later step a little above an earlier one; a step never has more users than the one before it.
            long count = s == 0 ? users[s].Estimate() : Math.Min(users[s].Estimate(), previous);
            first = s == 0 ? count : first;
            steps.Add(new FunnelStepResult(funnel.StepNames[s], count, sessions[s], s == 0 ? 1 : Ratio(count, previous), Ratio(count, first)));
            previous = count;
        }

        return new FunnelResult(name, from, to, resolution.Name(), steps);
    }

    private static double Ratio(long part, long whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 6);
}
