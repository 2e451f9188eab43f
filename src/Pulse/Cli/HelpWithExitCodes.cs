using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Pulse.Cli;

/// <summary><c>--help</c> as System.CommandLine writes it, followed by the command's exit codes.</summary>
internal sealed class HelpWithExitCodes(HelpAction help) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        int result = help.Invoke(parseResult);
        Command command = parseResult.CommandResult.Command;
        ExitCodes.WriteHelpSection(parseResult.InvocationConfiguration.Output, command is RootCommand ? "" : command.Name);
        return result;
    }
}
