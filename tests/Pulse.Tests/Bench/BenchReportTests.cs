using System.Text.Json;
using Pulse.Bench;

namespace Pulse.Tests.Bench;

public class BenchReportTests
{
    [Fact]
    public void Json_has_the_agreed_shape_with_min_median_max_ceiling_and_pass()
    {
        var throughput = new ScenarioRow("sustained ingest", "events/s", 250_000, ceilingName: "bare Kestrel");
        throughput.Add(300_000);
        throughput.Add(200_000);
        throughput.Add(260_000);
        throughput.AddCeiling(1_000_000);
        var latency = new ScenarioRow("ack p99", "ms", 10, higherIsBetter: false);
        latency.Add(12);
        var info = new ScenarioRow("rss", "MB");
        info.Add(double.NaN);
        var report = new BenchReport(new MachineInfo(2, 24, "Linux", ".NET 10"), new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero), BenchSettings.Quick(null), 8, [throughput, latency, info], ["a note"]);

        using var stream = new MemoryStream();
        report.WriteJson(stream);
        using JsonDocument json = JsonDocument.Parse(stream.ToArray());
        JsonElement root = json.RootElement;
        Assert.Equal(2, root.GetProperty("machine").GetProperty("cores").GetInt32());
        Assert.Equal(24, root.GetProperty("machine").GetProperty("memory_gb").GetDouble());
        Assert.Equal("Linux", root.GetProperty("machine").GetProperty("os").GetString());
        Assert.Equal(".NET 10", root.GetProperty("machine").GetProperty("dotnet").GetString());
        Assert.Equal("2026-11-22T10:00:00Z", root.GetProperty("date").GetString());

        JsonElement first = root.GetProperty("scenarios")[0];
        Assert.Equal("sustained ingest", first.GetProperty("name").GetString());
        Assert.Equal(250_000, first.GetProperty("target").GetDouble());
        Assert.Equal("events/s", first.GetProperty("unit").GetString());
        Assert.Equal([300_000.0, 200_000.0, 260_000.0], first.GetProperty("runs").EnumerateArray().Select(r => r.GetDouble()));
        Assert.Equal(200_000, first.GetProperty("min").GetDouble());
        Assert.Equal(260_000, first.GetProperty("median").GetDouble());
        Assert.Equal(300_000, first.GetProperty("max").GetDouble());
        Assert.Equal(1_000_000, first.GetProperty("ceiling").GetDouble());
        Assert.True(first.GetProperty("pass").GetBoolean());

        JsonElement second = root.GetProperty("scenarios")[1];
        Assert.False(second.GetProperty("pass").GetBoolean());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("ceiling").ValueKind);

        JsonElement third = root.GetProperty("scenarios")[2];
        Assert.Equal(JsonValueKind.Null, third.GetProperty("target").ValueKind);
        Assert.Equal(JsonValueKind.Null, third.GetProperty("pass").ValueKind);
        Assert.Equal(JsonValueKind.Null, third.GetProperty("median").ValueKind);
    }

    [Fact]
    public void Table_shows_targets_ratios_and_verdicts()
    {
        var throughput = new ScenarioRow("sustained ingest", "events/s", 250_000, ceilingName: "bare Kestrel");
        throughput.Add(100_000);
        throughput.AddCeiling(400_000);
        var latency = new ScenarioRow("ack p99", "ms", 10, higherIsBetter: false, ceilingName: "bare Kestrel");
        latency.Add(8);
        latency.AddCeiling(2);
        var report = new BenchReport(new MachineInfo(2, 24, "Linux", ".NET 10"), DateTimeOffset.UnixEpoch, BenchSettings.Full(null), 4, [throughput, latency], []);
        using var text = new StringWriter();
        report.WriteTable(text);
        string[] lines = text.ToString().Split('\n');

        Assert.Contains(lines, l => l.Contains("sustained ingest", StringComparison.Ordinal) && l.Contains("≥ 250,000", StringComparison.Ordinal) && l.Contains("25 %", StringComparison.Ordinal) && l.Contains("FAIL", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("ack p99", StringComparison.Ordinal) && l.Contains("≤ 10.0", StringComparison.Ordinal) && l.Contains("4.0 ×", StringComparison.Ordinal) && l.Contains("PASS", StringComparison.Ordinal));
    }
}
