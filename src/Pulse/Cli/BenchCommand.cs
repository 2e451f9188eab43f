using System.CommandLine;
using System.Runtime.InteropServices;
using Pulse.Bench;

namespace Pulse.Cli;

/// <summary><c>pulse bench</c>: benchmark scenarios against a Pulse server in its own process, each beside a ceiling.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = "Short form for CI (about a minute): 5 s windows, one run, one concurrency" };
        var json = new Option<string?>("--json") { Description = "Also write every figure as JSON to this file" };
        var repeat = new Option<int?>("--repeat") { Description = "Runs per scenario, reported as min/median/max (default 3, --quick 1)" };
        var command = new Command("bench", "Run the benchmark scenarios on this machine and print a table of figures beside ceilings measured in the same run");
        command.Options.Add(quick);
        command.Options.Add(json);
        command.Options.Add(repeat);
        command.Subcommands.Add(CreateSink());
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            int? runs = parseResult.GetValue(repeat);
            if (runs is < 1)
            {
                Console.Error.WriteLine("bench: --repeat must be at least 1.");
                return 2;
            }

            BenchSettings settings = parseResult.GetValue(quick) ? BenchSettings.Quick(runs) : BenchSettings.Full(runs);
            // Our own signal handling, so a Ctrl-C or SIGTERM unwinds the runner and its child servers
            // are killed and their data deleted before the process ends.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Stop(context, stop));
            using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Stop(context, stop));
            BenchReport report;
            try
            {
                report = await new BenchRunner(settings, Console.Error).RunAsync(stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                Console.Error.WriteLine("bench: stopped; servers killed and their data deleted.");
                return 130;
            }

            report.WriteTable(Console.Out);
            if (parseResult.GetValue(json) is string path)
            {
                using FileStream file = File.Create(path);
                report.WriteJson(file);
            }

            return 0;
        });
        return command;
    }

    private static void Stop(PosixSignalContext context, CancellationTokenSource stop)
    {
        context.Cancel = true;
        Console.Error.WriteLine("bench: stopping...");
        stop.Cancel();
    }

    /// <summary>The bare-Kestrel ceiling server the bench starts in its own process; not for people.</summary>
    private static Command CreateSink()
    {
        var urls = new Option<string>("--urls") { Description = "Address to listen on", DefaultValueFactory = _ => "http://127.0.0.1:8090" };
        var sink = new Command("sink", "Minimal Kestrel endpoint that reads and discards POST /v1/events (bench ceiling)") { Hidden = true };
        sink.Options.Add(urls);
        sink.SetAction(async (parseResult, cancellationToken) =>
        {
            await SinkServer.RunAsync(parseResult.GetValue(urls)!, cancellationToken);
            return 0;
        });
        return sink;
    }
}
