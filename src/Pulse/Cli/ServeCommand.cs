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
        var command = new Command("serve", "Run the engine: ingestion, log, processing, store, query API, live feed, dashboard.\n"
            + "Other settings bind the ASP.NET Core way: appsettings.json, Pulse__Section__Name environment variables, or --Pulse:Section:Name=value.")
        {
            urls, data, config,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            var args = new List<string>(parse.UnmatchedTokens)
            {
                "--urls", parse.GetValue(urls)!,
                $"--{PulseOptions.SectionName}:DataDirectory={Path.GetFullPath(parse.GetValue(data)!)}",
            };
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
}
