namespace Pulse.Tests.EndToEnd;

/// <summary>Exact answers computed in the test from the events it sent, to compare with the engine's.</summary>
internal static class GroundTruth
{
    public static long AlignDown(long ms, long unit) => ms - (((ms % unit) + unit) % unit);

    public static Dictionary<string, decimal> Totals(IEnumerable<TruthEvent> events, Func<TruthEvent, bool> where, Func<TruthEvent, decimal> value, string? groupBy)
    {
        var totals = new Dictionary<string, decimal>();
        foreach (TruthEvent e in events)
        {
            if (!where(e))
            {
                continue;
            }

            string key = groupBy is null ? "" : string.Join('|', groupBy.Split(',').Select(d => e.Dimension(d) ?? ""));
            totals[key] = totals.GetValueOrDefault(key) + value(e);
        }

        return totals;
    }

    public static Dictionary<string, decimal> Uniques(IEnumerable<TruthEvent> events, string? groupBy)
    {
        var sets = new Dictionary<string, HashSet<string>>();
        foreach (TruthEvent e in events)
        {
            string key = groupBy is null ? "" : string.Join('|', groupBy.Split(',').Select(d => e.Dimension(d) ?? ""));
            if (!sets.TryGetValue(key, out HashSet<string>? set))
            {
                sets[key] = set = [];
            }

            set.Add(e.User);
        }

        return sets.ToDictionary(kv => kv.Key, kv => (decimal)kv.Value.Count);
    }

    /// <summary>Every built-in metric, with group-by, filters, top-N and steps, against exact answers.</summary>
    public static async Task AssertEngineMatchesAsync(MetricsClient client, IReadOnlyList<TruthEvent> events)
    {
        long from = AlignDown(events.Min(e => e.Ts), 3_600_000);
        long to = AlignDown(events.Max(e => e.Ts), 3_600_000) + 3_600_000;
        Func<TruthEvent, decimal> one = _ => 1;

        AssertEqual("events", Totals(events, _ => true, one, null), await client.TotalsAsync("events", from, to));
        foreach (string by in (string[])["type", "country,device", "page", "type,country,device"])
        {
            AssertEqual($"events by {by}", Totals(events, _ => true, one, by), await client.TotalsAsync("events", from, to, by));
        }

        AssertEqual("page_views by page", Totals(events, e => e.Type == "page_view", one, "page"), await client.TotalsAsync("page_views", from, to, "page"));
        AssertEqual("page_views by device, country=DE", Totals(events, e => e.Type == "page_view" && e.Country == "DE", one, "device"),
            await client.TotalsAsync("page_views", from, to, "device", ["country:DE"]));
        AssertEqual("orders by device", Totals(events, e => e.Type == "purchase", one, "device"), await client.TotalsAsync("orders", from, to, "device"));
        AssertEqual("revenue", Totals(events, e => e.Type == "purchase", e => e.Revenue, null), await client.TotalsAsync("revenue", from, to));
        AssertEqual("revenue by country", Totals(events, e => e.Type == "purchase", e => e.Revenue, "country"), await client.TotalsAsync("revenue", from, to, "country"));
        AssertEqual("events type=add_to_cart by product", Totals(events, e => e.Type == "add_to_cart", one, "product_id"),
            await client.TotalsAsync("events", from, to, "product_id", ["type:add_to_cart"]));

        // Top-N is exact: the N largest groups with their exact totals.
        Dictionary<string, decimal> productViews = Totals(events, e => e.Type == "page_view", one, "product_id");
        Dictionary<string, decimal> top = await client.TotalsAsync("events", from, to, "product_id", ["type:page_view"], limit: 5);
        Assert.Equal(5, top.Count);
        Assert.Equal(productViews.Values.OrderDescending().Take(5), top.Values.OrderDescending());
        foreach ((string key, decimal value) in top)
        {
            Assert.Equal(productViews.GetValueOrDefault(key), value);
        }

        // Unique users: HyperLogLog within 2%.
        AssertClose("unique_users", Uniques(events, null), await client.TotalsAsync("unique_users", from, to), 0.02);
        AssertClose("unique_users by device", Uniques(events, "device"), await client.TotalsAsync("unique_users", from, to, "device"), 0.02);
        AssertClose("unique_users by country", Uniques(events, "country"), await client.TotalsAsync("unique_users", from, to, "country"), 0.02);
        AssertClose("unique_users who purchased", Uniques(events.Where(e => e.Type == "purchase"), null),
            await client.TotalsAsync("unique_users", from, to, null, ["type:purchase"]), 0.02);

        // Steps: per-minute by type, and per-second over the busiest two minutes.
        Dictionary<string, Dictionary<long, decimal>> minutes = await client.PointsAsync("events", from, to, "1m", "type");
        foreach (IGrouping<string, TruthEvent> type in events.GroupBy(e => e.Type))
        {
            foreach (IGrouping<long, TruthEvent> minute in type.GroupBy(e => AlignDown(e.Ts, 60_000)))
            {
                Assert.True(minute.Count() == minutes[type.Key][minute.Key], $"events {type.Key} at minute {minute.Key}: expected {minute.Count()}, got {minutes[type.Key][minute.Key]}");
            }
        }

        long secondsFrom = AlignDown(events[events.Count / 2].Ts, 60_000);
        Dictionary<string, Dictionary<long, decimal>> seconds = await client.PointsAsync("events", secondsFrom, secondsFrom + 120_000, "1s");
        Assert.Equal(120, seconds[""].Count);
        foreach ((long ts, decimal value) in seconds[""])
        {
            Assert.True(events.Count(e => AlignDown(e.Ts, 1000) == ts) == value, $"events at second {ts}");
        }

        // A filter value never seen answers zero, not an error.
        Assert.Equal(0m, (await client.TotalsAsync("events", from, to, null, ["country:XX"]))[""]);
    }

    private static void AssertEqual(string what, Dictionary<string, decimal> expected, Dictionary<string, decimal> actual)
    {
        foreach ((string key, decimal value) in expected)
        {
            Assert.True(actual.TryGetValue(key, out decimal got) && got == value, $"{what} [{key}]: expected {value}, got {(actual.TryGetValue(key, out decimal g) ? g : "missing")}");
        }

        foreach ((string key, decimal value) in actual)
        {
            Assert.True(expected.ContainsKey(key) || value == 0, $"{what} [{key}]: unexpected group with {value}");
        }
    }

    private static void AssertClose(string what, Dictionary<string, decimal> expected, Dictionary<string, decimal> actual, double relative)
    {
        foreach ((string key, decimal value) in expected)
        {
            Assert.True(actual.ContainsKey(key), $"{what} [{key}] missing");
            double error = Math.Abs((double)(actual[key] - value)) / (double)value;
            Assert.True(error <= relative, $"{what} [{key}]: expected ≈{value}, got {actual[key]} ({error:P2} off)");
        }
    }
}
