using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Pulse.Hosting;
using Pulse.Processing;
using Pulse.Query;

namespace Pulse.Cli;

/// <summary><c>pulse replay</c>: recompute stored rollups over a time range from the retained log (server stopped).</summary>
public static class ReplayCommand
{
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "Start of the range (RFC 3339 or epoch ms); buckets wholly inside the range are recomputed", Required = true };
        var to = new Option<string?>("--to") { Description = "End of the range, exclusive (default: now)" };
        var definition = new Option<string?>("--definition") { Description = "Recompute only this user-defined metric (default: the event rollups and every user metric)" };
        var data = new Option<string>("--data") { Description = "The server's data directory (the server must be stopped)", DefaultValueFactory = _ => "./data" };
        var config = new Option<string?>("--config") { Description = "The server's JSON configuration file, if it has one (for its log and ingest settings)" };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON on stdout" };
        var command = new Command("replay", "Recompute stored rollups over a time range from the retained log, replacing what is stored for that range (never adding to it).\n"
            + "Stop the server first (Ctrl-C or SIGTERM). Sessions, funnels and patterns are not recomputed.")
        {
            from, to, definition, data, config, json,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            long fromMs, toMs;
            try
            {
                fromMs = MetricQuery.ParseTime(parse.GetValue(from)!, "--from");
                toMs = parse.GetValue(to) is { } t ? MetricQuery.ParseTime(t, "--to") : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            }
            catch (QueryException ex)
            {
                Console.Error.WriteLine($"pulse replay: {ex.Message.Replace("'", "", StringComparison.Ordinal)}");
                return 2;
            }

            if (fromMs >= toMs)
            {
                Console.Error.WriteLine("pulse replay: --from must be before --to.");
                return 2;
            }

            string? file = parse.GetValue(config);
            if (file is not null && !File.Exists(file))
            {
                Console.Error.WriteLine($"pulse replay: configuration file '{file}' does not exist.");
                return 2;
            }

            PulseOptions options = Options(file, parse.UnmatchedTokens, Path.GetFullPath(parse.GetValue(data)!));
            var progress = new ProgressLine(Console.Error);
            try
            {
                ReplayResult result = RollupReplayer.Run(options, fromMs, toMs, parse.GetValue(definition), NullLoggerFactory.Instance, progress.Report);
                progress.Done();
                foreach (string note in result.Notes)
                {
                    Console.Error.WriteLine($"pulse replay: {note}");
                }

                if (parse.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
                    {
                        ["from"] = result.FromMs,
                        ["to"] = result.ToMs,
                        ["records_read"] = result.RecordsRead,
                        ["events_replayed"] = result.EventsReplayed,
                        ["rows_written"] = result.RowsWritten,
                        ["notes"] = result.Notes,
                    }));
                }
                else
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"replayed {result.EventsReplayed:N0} events ({result.RecordsRead:N0} records read): {result.RowsWritten:N0} rows of [{DateTimeOffset.FromUnixTimeMilliseconds(result.FromMs):u}, {DateTimeOffset.FromUnixTimeMilliseconds(result.ToMs):u}) replaced"));
                }

                return 0;
            }
            catch (InvalidOperationException ex)
            {
                progress.Done();
                Console.Error.WriteLine($"pulse replay: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>The server's settings, bound as <c>serve</c> binds them: the file, <c>Pulse__</c> environment variables, <c>--Pulse:...</c> arguments.</summary>
    private static PulseOptions Options(string? file, IReadOnlyList<string> extra, string data)
    {
        var builder = new ConfigurationBuilder();
        if (file is not null)
        {
            builder.AddJsonFile(Path.GetFullPath(file), optional: false);
        }

        builder.AddEnvironmentVariables().AddCommandLine([.. extra]);
        var options = new PulseOptions();
        builder.Build().GetSection(PulseOptions.SectionName).Bind(options);
        options.DataDirectory = data;
        return options;
    }

    /// <summary>One progress line on stderr, rewritten in place at most a few times a second.</summary>
    private sealed class ProgressLine(TextWriter output)
    {
        private long _lastMs;
        private bool _written;

        public void Report(int partition, int partitions, long records)
        {
            long now = Environment.TickCount64;
            if (now - _lastMs < 200)
            {
                return;
            }

            _lastMs = now;
            _written = true;
            int width = 30, filled = (int)((partition + 1) * (long)width / Math.Max(1, partitions));
            output.Write(string.Create(CultureInfo.InvariantCulture, $"\rreplay [{new string('#', filled)}{new string('.', width - filled)}] partition {partition + 1}/{partitions}, {records:N0} records"));
        }

        public void Done()
        {
            if (_written)
            {
                output.WriteLine();
            }
        }
    }
}
