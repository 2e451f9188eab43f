using System.CommandLine;
using Pulse.Cli;

var root = new RootCommand("Pulse — real-time analytics engine. Run 'pulse serve' to start it.");
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(ReplayCommand.Create());
return await root.Parse(args).InvokeAsync();
