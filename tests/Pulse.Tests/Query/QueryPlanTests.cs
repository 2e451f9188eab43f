using Pulse.Processing.Aggregation;
using Pulse.Query;

namespace Pulse.Tests.Query;

public sealed class QueryPlanTests
{
    private const long Hour = 3_600_000;
    private const long T0 = 1_795_219_200_000; // a day boundary

    private static QueryPlan Plan(string metric, long from, long to, string? step = null, string? groupBy = null, string[]? filters = null) =>
        QueryPlan.Choose(
            MetricQuery.Parse(MetricCatalog.Find(metric)!, from.ToString(System.Globalization.CultureInfo.InvariantCulture), to.ToString(System.Globalization.CultureInfo.InvariantCulture), step, [groupBy], filters ?? [], null, null, to),
            Needed(groupBy, filters, metric));

    private static Dimension Needed(string? groupBy, string[]? filters, string metric)
    {
        Dimension d = MetricCatalog.Find(metric)!.TypeFilter is null ? Dimension.None : Dimension.Type;
        foreach (string name in (groupBy ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Concat((filters ?? []).Select(f => f.Split(':')[0])))
        {
            Assert.True(Dimensions.TryParse(name, out Dimension one));
            d |= one;
        }

        return d;
    }

    [Fact]
    public void Picks_the_coarsest_resolution_that_aligns() =>
        Assert.Equal(Resolution.Day, Plan("events", T0, T0 + (2 * 86_400_000)).Resolution);

    [Fact]
    public void Unaligned_range_uses_seconds_for_type_and_widens_to_minutes_for_page()
    {
        Assert.Equal(Resolution.Second, Plan("events", T0 + 1500, T0 + Hour, groupBy: "type").Resolution);
        QueryPlan page = Plan("events", T0 + 1500, T0 + Hour + 10, groupBy: "page");
        Assert.Equal(Resolution.Minute, page.Resolution);
        Assert.Equal(T0, page.From);
        Assert.Equal(T0 + Hour + 60_000, page.To);
    }

    [Fact]
    public void Step_decides_the_resolution_and_aligns_the_range()
    {
        QueryPlan p = Plan("events", T0 + 61_000, T0 + Hour, step: "5m");
        Assert.Equal(Resolution.Minute, p.Resolution);
        Assert.Equal(T0, p.From);
        Assert.Equal(12, p.StepCount);
        Assert.Equal(Resolution.Hour, Plan("revenue", T0, T0 + 86_400_000, step: "1h", groupBy: "country").Resolution);
    }

    [Fact]
    public void Smallest_covering_cuboid_is_used()
    {
        Assert.Equal(Dimension.Type, Plan("events", T0, T0 + Hour, step: "1m", groupBy: "type").Mask);
        Assert.Equal(Dimension.Type | Dimension.Page, Plan("page_views", T0, T0 + Hour, step: "1m", groupBy: "page").Mask);
        Assert.Equal(Dimension.Type | Dimension.Country | Dimension.Device, Plan("events", T0, T0 + Hour, step: "1m", groupBy: "country").Mask);
        Assert.Equal(Dimension.All, Plan("events", T0, T0 + Hour, step: "1m", groupBy: "page,country").Mask);
    }

    [Fact]
    public void Hours_and_days_answer_their_aggregate_groups_and_fall_back_to_minutes_otherwise()
    {
        QueryPlan byCountry = Plan("revenue", T0, T0 + 86_400_000, groupBy: "country");
        Assert.Equal(Resolution.Day, byCountry.Resolution);
        QueryPlan pageByCountry = Plan("events", T0, T0 + 86_400_000, step: "1h", groupBy: "page,country");
        Assert.Equal(Resolution.Minute, pageByCountry.Resolution);
        Assert.Equal(Dimension.All, pageByCountry.Mask);
        Assert.Equal(24, pageByCountry.StepCount);
    }

    [Fact]
    public void Unique_users_take_one_dimension_at_a_time()
    {
        Assert.Equal(Dimension.Country, Plan("unique_users", T0, T0 + Hour, groupBy: "country").Mask);
        var ex = Assert.Throws<QueryException>(() => Plan("unique_users", T0, T0 + Hour, groupBy: "country", filters: ["type:purchase"]));
        Assert.Contains("one dimension at a time", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Per_second_steps_refuse_dimensions_they_do_not_keep()
    {
        var ex = Assert.Throws<QueryException>(() => Plan("events", T0, T0 + 60_000, step: "1s", groupBy: "page"));
        Assert.Contains("step 1m or more", ex.Message, StringComparison.Ordinal);
        Assert.Equal(Resolution.Second, Plan("unique_users", T0, T0 + 60_000, step: "1s").Resolution);
    }

    [Theory]
    [InlineData("step", "2m", "'step' must be one of")]
    [InlineData("group_by", "user_id", "not a dimension of 'events'")]
    [InlineData("group_by", "type,page,country,device", "at most 3")]
    [InlineData("limit", "0", "'limit' must be an integer")]
    [InlineData("from", "yesterday", "'from' must be an RFC 3339")]
    [InlineData("stat", "p99", "distribution metrics")]
    public void Invalid_parameters_say_what_to_change(string parameter, string value, string message)
    {
        string? Get(string name) => name == parameter ? value : null;
        var ex = Assert.Throws<QueryException>(() => MetricQuery.Parse(MetricCatalog.Find("events")!, Get("from"), Get("to"), Get("step"), [Get("group_by")], [], Get("limit"), Get("stat"), T0));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }
}
