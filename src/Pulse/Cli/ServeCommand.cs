using System.CommandLine;
using Pulse.Hosting;

namespace Pulse.Cli;

/// <summary><c>pulse serve</c>: runs the engine with its API, live feed and dashboard.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Addresses to listen on.", DefaultValueFactory = _ => "http://localhost:8080" };
        var data = new Option<string>("--data") { Description = "Directory for the log and the store.", DefaultValueFactory = _ => "./data" };
        var config = new Option<string?>("--config") { Description = "A JSON configuration file (same shape as appsettings.json)." };
        var store = new Option<string?>("--store") { Description = "Where rollups and checkpoints go: sqlite (under --data, the default) or postgres (also Pulse:Store:Kind)." };
        store.AcceptOnlyFromAmong("sqlite", "postgres");
        var postgres = new Option<string?>("--postgres") { Description = "The PostgreSQL connection string for --store postgres (also Pulse:Store:Postgres)." };
        var writeKeys = KeyOption("--write-key", "An API key that may send events (repeatable; also Pulse:Auth:WriteKeys).");
        var readKeys = KeyOption("--read-key", "An API key that may query and subscribe (repeatable; also Pulse:Auth:ReadKeys).");
        var adminKeys = KeyOption("--admin-key", "An API key that may change definitions, and read and write (repeatable; also Pulse:Auth:AdminKeys).");
        var command = new Command("serve", "Run the engine: ingestion, log, processing, store, query API, live feed, dashboard.\n"
            + "Other settings bind the ASP.NET Core way: appsettings.json, Pulse__Section__Name environment variables, or --Pulse:Section:Name=value.")
        {
            urls, data, config, store, postgres, writeKeys, readKeys, adminKeys,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            var args = new List<string>(parse.UnmatchedTokens)
            {
                "--urls", parse.GetValue(urls)!,
                $"--{PulseOptions.SectionName}:DataDirectory={Path.GetFullPath(parse.GetValue(data)!)}",
            };
            if (parse.GetValue(store) is { } kind)
            {
                args.Add($"--{PulseOptions.SectionName}:Store:Kind={kind}");
            }

            if (parse.GetValue(postgres) is { } connection)
            {
                args.Add($"--{PulseOptions.SectionName}:Store:Postgres={connection}");
            }

            AddKeys(args, "WriteKeys", parse.GetValue(writeKeys));
            AddKeys(args, "ReadKeys", parse.GetValue(readKeys));
            AddKeys(args, "AdminKeys", parse.GetValue(adminKeys));
            string? file = parse.GetValue(config);
            if (file is not null && !File.Exists(file))
            {
                await Console.Error.WriteLineAsync($"pulse serve: configuration file '{file}' does not exist.");
                return 2;
            }

            WebApplication app = PulseServer.Build([.. args], builder =>
            {
                if (file is not null)
                {
                    builder.Configuration.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false);
                    // Command-line settings still win over the file.
                    builder.Configuration.AddCommandLine([.. args]);
                }
            });
            await app.RunAsync(ct);
            return 0;
        });
        return command;
    }

    private static Option<string[]> KeyOption(string name, string description) => new(name)
    {
        Description = description + " Visible in the process list: prefer configuration or environment for real keys.",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>
    /// Named (not numbered) entries, so keys given here are added to those of a configuration file
    /// instead of replacing its first entries.
    /// </summary>
    private static void AddKeys(List<string> args, string list, string[]? keys)
    {
        for (int i = 0; keys is not null && i < keys.Length; i++)
        {
            args.Add($"--{Security.ApiKeyOptions.SectionName}:{list}:cli{i}={keys[i]}");
        }
    }
}
