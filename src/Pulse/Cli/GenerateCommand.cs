using System.CommandLine;
using System.Runtime.InteropServices;
using Pulse.Generate;

namespace Pulse.Cli;

/// <summary><c>pulse generate</c>: synthetic e-commerce traffic with ground truth (see the contract).</summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var target = new Option<string>("--target") { Description = "Pulse base URL to POST /v1/events to", DefaultValueFactory = _ => "http://localhost:8080" };
        var output = new Option<string?>("--out") { Description = "Write NDJSON to this file instead of sending ('-' = stdout)" };
        var rate = new Option<double?>("--rate") { Description = "Events per second (paced per batch); default: as fast as possible" };
        var duration = new Option<string?>("--duration") { Description = "Run time, e.g. 30s, 5m, 1h" };
        var count = new Option<long?>("--count") { Description = $"Number of events (default {GeneratorSettings.DefaultCount:N0} when no --duration)" };
        var users = new Option<int>("--users") { Description = "Number of users", DefaultValueFactory = _ => 10_000 };
        var seed = new Option<long>("--seed") { Description = "Seed: the same seed and options give the same events", DefaultValueFactory = _ => 42 };
        var key = new Option<string?>("--key") { Description = "Write key, sent as Authorization: Bearer KEY" };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON on stdout" };
        var batch = new Option<int>("--batch") { Description = "Events per POST", DefaultValueFactory = _ => 1000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Parallel POSTs in flight", DefaultValueFactory = _ => 4 };
        var start = new Option<string?>("--start") { Description = "Event time of the first event (RFC 3339 or epoch ms); default now. With it the output does not depend on the clock" };
        var timeRate = new Option<double?>("--time-rate") { Description = $"Event-time events per second (default: --rate, else {GeneratorSettings.DefaultEventTimeRate:N0})" };
        var lateShare = new Option<double>("--late-share") { Description = "Fraction of events stamped 1-10 minutes in the past", DefaultValueFactory = _ => 0.01 };
        var disorder = new Option<int>("--disorder-ms") { Description = "Largest out-of-order jitter of event times, ms", DefaultValueFactory = _ => 2000 };
        var products = new Option<int>("--products") { Description = "Number of products (Zipf popularity)", DefaultValueFactory = _ => 1000 };
        var duplicateShare = new Option<double>("--duplicate-share") { Description = "Fraction of batches re-sent with the same event ids", DefaultValueFactory = _ => 0 };
        var quiet = new Option<bool>("--quiet") { Description = "No progress lines on stderr" };

        var command = new Command("generate", "Send (or write as NDJSON) realistic synthetic e-commerce traffic and print its ground truth");
        foreach (Option option in new Option[] { target, output, rate, duration, count, users, seed, key, json, batch, concurrency, start, timeRate, lateShare, disorder, products, duplicateShare, quiet })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = new GeneratorSettings
            {
                OutputPath = parseResult.GetValue(output),
                Rate = parseResult.GetValue(rate),
                TimeRate = parseResult.GetValue(timeRate),
                Count = parseResult.GetValue(count),
                Users = parseResult.GetValue(users),
                Seed = parseResult.GetValue(seed),
                Key = parseResult.GetValue(key),
                BatchSize = parseResult.GetValue(batch),
                Concurrency = parseResult.GetValue(concurrency),
                LateShare = parseResult.GetValue(lateShare),
                DisorderMs = parseResult.GetValue(disorder),
                Products = parseResult.GetValue(products),
                DuplicateShare = parseResult.GetValue(duplicateShare),
                ProgressInterval = parseResult.GetValue(quiet) ? null : TimeSpan.FromSeconds(2),
            };
            TextWriter log = Console.Error;
            string targetText = parseResult.GetValue(target)!;
            if (!Uri.TryCreate(targetText, UriKind.Absolute, out Uri? targetUri) || (targetUri.Scheme != Uri.UriSchemeHttp && targetUri.Scheme != Uri.UriSchemeHttps))
            {
                log.WriteLine($"generate: --target '{targetText}' is not an http:// or https:// URL.");
                return 2;
            }

            settings.Target = targetUri;
            if (parseResult.GetValue(duration) is string durationText)
            {
                if (!TimeArguments.TryParseDuration(durationText, out TimeSpan d))
                {
                    log.WriteLine($"generate: --duration '{durationText}' is not a duration such as 30s, 5m, 1h or 500ms.");
                    return 2;
                }

                settings.Duration = d;
            }

            if (parseResult.GetValue(start) is string startText)
            {
                if (!TimeArguments.TryParseInstant(startText, out long startMs))
                {
                    log.WriteLine($"generate: --start '{startText}' is neither an RFC 3339 timestamp nor epoch milliseconds.");
                    return 2;
                }

                settings.StartMs = startMs;
            }

            if (settings.Validate() is string error)
            {
                log.WriteLine($"generate: {error}");
                return 2;
            }

            bool sending = settings.OutputPath is null;
            if (sending)
            {
                log.WriteLine($"generate: sending to {new Uri(settings.Target, "/v1/events")} (seed {settings.Seed}, {settings.Users:N0} users)");
            }

            // Our own signal handling: the run must end with a summary whatever the root command's
            // termination settings are. A second Ctrl-C is left to the default action and ends the process.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => StopOnce(context, stop));
            using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => StopOnce(context, stop));
            GenerateSummary summary = await TrafficGenerator.RunAsync(settings, log, stop.Token);
            bool jsonToStdout = parseResult.GetValue(json) && settings.OutputPath != "-";
            if (jsonToStdout)
            {
                using Stream stdout = Console.OpenStandardOutput();
                SummaryWriter.WriteJson(summary, stdout);
            }
            else if (parseResult.GetValue(json))
            {
                using Stream stderr = Console.OpenStandardError();
                SummaryWriter.WriteJson(summary, stderr);
            }
            else
            {
                SummaryWriter.WriteText(summary, sending ? Console.Out : log, sending);
            }

            return summary.FailedBatches > 0 ? 1 : 0;
        });
        return command;
    }

    private static void StopOnce(PosixSignalContext context, CancellationTokenSource stop)
    {
        if (stop.IsCancellationRequested)
        {
            return;
        }

        context.Cancel = true;
        Console.Error.WriteLine("generate: stopping (again to abort)...");
        stop.Cancel();
    }
}
