using Pulse.Analytics.Patterns;

namespace Pulse.Analytics;

/// <summary>Switching to another catalog (definitions added, changed or deleted) while running, and mapping saved state onto the running catalog.</summary>
public sealed partial class PartitionAnalytics
{
    /// <summary>
    /// Runs <paramref name="next"/> from the next event on. Its predicate set extends the current one
    /// bit for bit, so events already waiting keep their meaning (a new condition is false for them:
    /// a definition applies from now on). Users keep their progress in every funnel and pattern that
    /// is unchanged; a changed or new one starts afresh. Caller holds the partition's lock.
    /// </summary>
    public void SwapCatalog(AnalyticsCatalog next)
    {
        int[] funnelMap = MapFunnels(_catalog, next);
        int[] patternMap = MapPatterns(_catalog, next);
        foreach (UserActivity user in _users.Values)
        {
            FunnelProgress[] funnels = next.Funnels.Count == 0 ? [] : new FunnelProgress[next.Funnels.Count];
            object?[] patterns = next.Patterns.Count == 0 ? [] : new object?[next.Patterns.Count];
            for (int f = 0; f < funnelMap.Length; f++)
            {
                if (funnelMap[f] >= 0)
                {
                    funnels[funnelMap[f]] = user.Funnels[f];
                }
            }

            for (int p = 0; p < patternMap.Length; p++)
            {
                if (patternMap[p] >= 0)
                {
                    patterns[patternMap[p]] = user.Patterns[p];
                }
            }

            user.Funnels = funnels;
            user.Patterns = patterns;
        }

        _catalog = next;
        Funnels = next.Funnels;
        _predicates = next.Predicates;
    }

    /// <summary>For each funnel of <paramref name="from"/>, its index in <paramref name="to"/> when it is there unchanged, else −1.</summary>
    private static int[] MapFunnels(AnalyticsCatalog from, AnalyticsCatalog to)
    {
        int[] map = new int[from.Funnels.Count];
        for (int f = 0; f < map.Length; f++)
        {
            map[f] = -1;
            for (int g = 0; g < to.Funnels.Count; g++)
            {
                if (to.Funnels[g].Name == from.Funnels[f].Name && to.Funnels[g].StepMasks.AsSpan().SequenceEqual(from.Funnels[f].StepMasks) && to.Funnels[g].WithinMs == from.Funnels[f].WithinMs)
                {
                    map[f] = g;
                }
            }
        }

        return map;
    }

    private static int[] MapPatterns(AnalyticsCatalog from, AnalyticsCatalog to)
    {
        int[] map = new int[from.Patterns.Count];
        for (int p = 0; p < map.Length; p++)
        {
            map[p] = -1;
            PatternDefinition old = from.Patterns[p].Definition;
            for (int q = 0; q < to.Patterns.Count; q++)
            {
                if (to.Patterns[q].Definition.Name == old.Name && to.Patterns[q].Definition.Fingerprint == old.Fingerprint)
                {
                    map[p] = q;
                }
            }
        }

        return map;
    }

    /// <summary>The names of the funnels and patterns and the predicates' canonical forms, so a restore can map state saved under another catalog.</summary>
    private void WriteCatalogLayout(StateWriter w)
    {
        w.Int32(Funnels.Count);
        foreach (Funnels.Funnel funnel in Funnels)
        {
            w.Bytes(System.Text.Encoding.UTF8.GetBytes(funnel.Name));
        }

        w.Int32(_catalog.Patterns.Count);
        foreach (PatternMatcher pattern in _catalog.Patterns)
        {
            w.Bytes(System.Text.Encoding.UTF8.GetBytes(pattern.Definition.Name));
        }

        w.Int32(_catalog.PredicateSet.Count);
        for (int bit = 0; bit < _catalog.PredicateSet.Count; bit++)
        {
            w.Bytes(System.Text.Encoding.UTF8.GetBytes(_catalog.PredicateSet[bit].Canonical));
        }
    }

    /// <summary>How saved state maps onto the running catalog: saved funnel / pattern index → running index (−1: gone), and saved predicate bits → running bits.</summary>
    private sealed record SavedLayout(int[] Funnels, int[] Patterns, int[] Bits)
    {
        public ulong MapBits(ulong saved)
        {
            ulong mapped = 0;
            for (int bit = 0; bit < Bits.Length; bit++)
            {
                if ((saved & (1UL << bit)) != 0 && Bits[bit] >= 0)
                {
                    mapped |= 1UL << Bits[bit];
                }
            }

            return mapped;
        }
    }

    private SavedLayout ReadCatalogLayout(ref StateReader r)
    {
        int[] funnels = new int[r.Count(1024)];
        for (int f = 0; f < funnels.Length; f++)
        {
            string name = Text(ref r);
            funnels[f] = IndexOf(Funnels.Select(x => x.Name), name);
        }

        int[] patterns = new int[r.Count(1024)];
        for (int p = 0; p < patterns.Length; p++)
        {
            string name = Text(ref r);
            patterns[p] = IndexOf(_catalog.Patterns.Select(x => x.Definition.Name), name);
        }

        int[] bits = new int[r.Count(Predicates.PredicateSet.Capacity)];
        for (int b = 0; b < bits.Length; b++)
        {
            bits[b] = _catalog.PredicateSet.IndexOf(Text(ref r));
        }

        return new SavedLayout(funnels, patterns, bits);
    }

    private static string Text(ref StateReader r) => System.Text.Encoding.UTF8.GetString(r.Bytes() ?? throw new InvalidDataException("Analytics state has a missing name."));

    private static int IndexOf(IEnumerable<string> names, string name)
    {
        int i = 0;
        foreach (string n in names)
        {
            if (n == name)
            {
                return i;
            }

            i++;
        }

        return -1;
    }
}
