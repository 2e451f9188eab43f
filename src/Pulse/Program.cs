using System.CommandLine;
using Pulse.Cli;

var root = new RootCommand("Pulse — real-time analytics engine");
root.Subcommands.Add(GenerateCommand.Create());
return await root.Parse(args).InvokeAsync();
