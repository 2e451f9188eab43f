using System.Globalization;
using System.Text.Json;

namespace Pulse.Bench;

/// <summary>Every row of a bench run plus where and how it ran; written as a table or as JSON.</summary>
internal sealed class BenchReport
{
    public BenchReport(MachineInfo machine, DateTimeOffset date, BenchSettings settings, int concurrency, IReadOnlyList<ScenarioRow> rows, IReadOnlyList<string> notes)
    {
        Machine = machine;
        Date = date;
        Settings = settings;
        Concurrency = concurrency;
        Rows = rows;
        Notes = notes;
    }

    public MachineInfo Machine { get; }

    public DateTimeOffset Date { get; }

    public BenchSettings Settings { get; }

    public int Concurrency { get; }

    public IReadOnlyList<ScenarioRow> Rows { get; }

    public IReadOnlyList<string> Notes { get; }

    public void WriteTable(TextWriter output)
    {
        string[] header = ["scenario", "unit", "target", "min", "median", "max", "ceiling", "vs ceiling", "pass"];
        var lines = new List<string[]> { header };
        foreach (ScenarioRow row in Rows)
        {
            double? ceiling = row.Ceiling;
            lines.Add(
            [
                row.Name,
                row.Unit,
                row.TargetText,
                ReportFormat.Number(row.Min),
                ReportFormat.Number(row.Median),
                ReportFormat.Number(row.Max),
                ceiling is double c ? $"{ReportFormat.Number(c)} ({row.CeilingName})" : "",
                Ratio(row),
                row.Pass switch { true => "PASS", false => "FAIL", null => "" },
            ]);
        }

        int[] widths = new int[header.Length];
        foreach (string[] line in lines)
        {
            for (int i = 0; i < line.Length; i++)
            {
                widths[i] = Math.Max(widths[i], line[i].Length);
            }
        }

        output.WriteLine($"Pulse bench — {(Settings.IsQuick ? "quick" : "full")}, {Settings.Repeat} run(s), {Machine.Cores} cores, {Machine.MemoryGb} GB, {Machine.Os}, {Machine.Dotnet}, {Date:yyyy-MM-dd HH:mm} UTC");
        for (int l = 0; l < lines.Count; l++)
        {
            string[] line = lines[l];
            var text = new System.Text.StringBuilder("| ");
            for (int i = 0; i < line.Length; i++)
            {
                bool numeric = i is >= 3 and <= 5;
                text.Append(numeric ? line[i].PadLeft(widths[i]) : line[i].PadRight(widths[i])).Append(" | ");
            }

            output.WriteLine(text.ToString().TrimEnd());
            if (l == 0)
            {
                var rule = new System.Text.StringBuilder("|");
                foreach (int width in widths)
                {
                    rule.Append(new string('-', width + 2)).Append('|');
                }

                output.WriteLine(rule.ToString());
            }
        }

        foreach (string note in Notes)
        {
            output.WriteLine("- " + note);
        }
    }

    /// <summary>Throughput as a share of its ceiling; latency and cost as a multiple of it.</summary>
    internal static string Ratio(ScenarioRow row)
    {
        if (row.Ceiling is not double ceiling || ceiling == 0 || double.IsNaN(row.Median))
        {
            return "";
        }

        return row.HigherIsBetter
            ? (row.Median / ceiling * 100).ToString("F0", CultureInfo.InvariantCulture) + " %"
            : (row.Median / ceiling).ToString("F1", CultureInfo.InvariantCulture) + " ×";
    }

    public void WriteJson(Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartObject("machine");
        json.WriteNumber("cores", Machine.Cores);
        json.WriteNumber("memory_gb", Machine.MemoryGb);
        json.WriteString("os", Machine.Os);
        json.WriteString("dotnet", Machine.Dotnet);
        json.WriteEndObject();
        json.WriteString("date", Date.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        json.WriteString("mode", Settings.IsQuick ? "quick" : "full");
        json.WriteNumber("repeat", Settings.Repeat);
        json.WriteNumber("duration_s", Settings.Duration.TotalSeconds);
        json.WriteNumber("concurrency", Concurrency);
        json.WriteStartArray("scenarios");
        foreach (ScenarioRow row in Rows)
        {
            json.WriteStartObject();
            json.WriteString("name", row.Name);
            WriteNumberOrNull(json, "target", row.Target);
            json.WriteString("target_kind", row.Target is null ? null : row.HigherIsBetter ? "min" : "max");
            json.WriteString("unit", row.Unit);
            json.WriteStartArray("runs");
            foreach (double run in row.Runs)
            {
                WriteNumberOrNullValue(json, run);
            }

            json.WriteEndArray();
            WriteNumberOrNull(json, "min", row.Min);
            WriteNumberOrNull(json, "median", row.Median);
            WriteNumberOrNull(json, "max", row.Max);
            WriteNumberOrNull(json, "ceiling", row.Ceiling);
            json.WriteString("ceiling_name", row.CeilingName);
            if (row.Pass is bool pass)
            {
                json.WriteBoolean("pass", pass);
            }
            else
            {
                json.WriteNull("pass");
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("notes");
        foreach (string note in Notes)
        {
            json.WriteStringValue(note);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, double? value)
    {
        json.WritePropertyName(name);
        WriteNumberOrNullValue(json, value ?? double.NaN);
    }

    private static void WriteNumberOrNullValue(Utf8JsonWriter json, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumberValue(ReportFormat.Round(value));
        }
        else
        {
            json.WriteNullValue();
        }
    }
}
