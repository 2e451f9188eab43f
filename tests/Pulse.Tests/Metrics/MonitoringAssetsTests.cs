using System.Text.Json;
using System.Text.RegularExpressions;
using Pulse.Tests.EndToEnd;

namespace Pulse.Tests.Metrics;

/// <summary>
/// deploy/monitoring: the alert rules pass promtool, and every metric the rules and the dashboard
/// use is one a live server really exports (a renamed metric must not leave a silent alert behind).
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed partial class MonitoringAssetsTests
{
    private static readonly string Directory = Path.Combine(RepoPaths.Root, "deploy", "monitoring");
    private static readonly string Rules = Path.Combine(Directory, "pulse-alerts.yml");
    private static readonly string Dashboard = Path.Combine(Directory, "pulse-dashboard.json");

    [GeneratedRegex(@"\bpulse_[a-z0-9_]+")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^# TYPE (\S+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [Fact]
    public async Task Promtool_accepts_the_alert_rules()
    {
        (int exit, string output) = await Promtool.RunAsync(null, "check", "rules", Rules);
        Assert.True(exit == 0, $"promtool check rules ({exit}):\n{output}");
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_metric_in_the_rules_and_the_dashboard_is_exported_by_a_live_server()
    {
        HashSet<string> inRules = RuleMetrics();
        HashSet<string> inDashboard = DashboardMetrics();
        Assert.True(inRules.Count >= 10, $"only {inRules.Count} metrics found in the rules");
        Assert.True(inDashboard.Count >= 20, $"only {inDashboard.Count} metrics found in the dashboard");

        using var dir = new TempDirectory("pulse-assets");
        await using PulseProcess server = await PulseProcess.StartAsync(Path.Combine(dir.Path, "data"));
        using HttpClient http = server.CreateClient();

        // Histograms appear with their first measurement: give the server an event to append,
        // process and checkpoint, and wait (bounded) until everything has been measured once.
        var client = new MetricsClient(http);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await client.PostNdjsonAsync("{\"type\":\"page_view\",\"user_id\":\"assets\"}")).Status);
        string[] missing = [];
        var deadline = DateTime.UtcNow.AddSeconds(15);
        do
        {
            HashSet<string> exported = Exported((await Scrape.TakeAsync(http)).Text);
            missing = [.. inRules.Concat(inDashboard).Where(n => !exported.Contains(n)).Distinct()];
            if (missing.Length > 0)
            {
                await Task.Delay(200);
            }
        }
        while (missing.Length > 0 && DateTime.UtcNow < deadline);

        Assert.True(missing.Length == 0, "not exported by /metrics: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_alert_links_a_runbook_section_of_the_operations_guide()
    {
        string[] rules = [.. File.ReadAllLines(Rules).Select(l => l.Trim())];
        int alerts = rules.Count(l => l.StartsWith("- alert: ", StringComparison.Ordinal));
        string[] anchors = [.. rules.Where(l => l.StartsWith("runbook: ", StringComparison.Ordinal)).Select(l => l.Split('#')[1].TrimEnd('"'))];
        Assert.True(alerts > 0);
        Assert.Equal(alerts, anchors.Length);
        // GitHub's anchor of "### PulseDiskNearlyFull" is "pulsedisknearlyfull".
        HashSet<string> headings = [.. File.ReadAllLines(Path.Combine(RepoPaths.Root, "docs", "operations.md"))
            .Where(l => l.StartsWith("### ", StringComparison.Ordinal))
            .Select(l => l[4..].Trim().ToLowerInvariant())];
        string[] unmatched = [.. anchors.Where(a => !headings.Contains(a))];
        Assert.True(unmatched.Length == 0, "no '### ' heading in docs/operations.md for: " + string.Join(", ", unmatched));
    }

    /// <summary>Names in the rules, ignoring comment lines (which may mention metrics that do not exist yet).</summary>
    private static HashSet<string> RuleMetrics() =>
        [.. File.ReadAllLines(Rules)
            .Where(l => !l.TrimStart().StartsWith('#'))
            .SelectMany(l => MetricName().Matches(l).Select(m => m.Value))];

    private static HashSet<string> DashboardMetrics()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Dashboard));
        var names = new HashSet<string>(StringComparer.Ordinal);
        Collect(doc.RootElement, names);
        return names;

        static void Collect(JsonElement e, HashSet<string> names)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (JsonProperty p in e.EnumerateObject())
                    {
                        if (p.Value.ValueKind == JsonValueKind.String && (p.Name == "expr" || p.Name == "query" || p.Name == "definition"))
                        {
                            names.UnionWith(MetricName().Matches(p.Value.GetString()!).Select(m => m.Value));
                        }
                        else
                        {
                            Collect(p.Value, names);
                        }
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (JsonElement item in e.EnumerateArray())
                    {
                        Collect(item, names);
                    }

                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>Sample names the exposition defines, from its TYPE lines (so a counter that has not moved yet counts too).</summary>
    private static HashSet<string> Exported(string text)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in TypeLine().Matches(text))
        {
            string name = m.Groups[1].Value;
            if (m.Groups[2].Value == "histogram")
            {
                names.UnionWith([name + "_bucket", name + "_sum", name + "_count"]);
            }
            else
            {
                names.Add(name);
            }
        }

        return names;
    }
}
