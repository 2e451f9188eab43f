using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Pulse.Cli;

/// <summary>The <c>pulse</c> command line: its commands, help with exit codes, and one exit code for every bad command line.</summary>
public static class PulseCommandLine
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Pulse — real-time analytics engine. Run 'pulse serve' to start it.");
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(ReplayCommand.Create());
        HelpOption help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithExitCodes((HelpAction)help.Action!);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, InvocationConfiguration? invocation = null)
    {
        ParseResult parsed = Create().Parse(args);
        int code = await parsed.InvokeAsync(invocation);
        // System.CommandLine answers a parse error with 1; the commands' own argument checks use 2,
        // so every wrong command line exits the same way. (--help wins over errors such as a missing
        // required option, and then exits 0.)
        return parsed.Action is ParseErrorAction ? ExitCodes.Usage : code;
    }
}
