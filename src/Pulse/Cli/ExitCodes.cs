namespace Pulse.Cli;

/// <summary>
/// The exit codes of <c>pulse</c>: one meaning per number across commands, and the help section
/// that lists what each number means for the command asked about (docs/operations.md, "Exit codes").
/// </summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The command could not do its work; stderr says why.</summary>
    public const int Failure = 1;

    /// <summary>The command line is wrong: an unknown command or option, a missing or malformed value.</summary>
    public const int Usage = 2;

    /// <summary>Stopped by Ctrl-C / SIGTERM before it finished (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    /// <summary>What each code means for <paramref name="command"/> (the root command: in general).</summary>
    public static IReadOnlyList<(int Code, string Meaning)> For(string command) => command switch
    {
        "serve" =>
        [
            (Success, "stopped cleanly (Ctrl-C or SIGTERM: stop accepting, drain, checkpoint)"),
            (Failure, "could not start (invalid configuration, data directory in use, address taken) or failed"),
            (Usage, "bad arguments (e.g. --config names a file that does not exist)"),
        ],
        "generate" =>
        [
            (Success, "every batch was delivered or written (events the server rejected are in the summary)"),
            (Failure, "some batches failed after their retries"),
            (Usage, "bad arguments (e.g. --target is not an http(s) URL, --duration is not a duration)"),
        ],
        "bench" =>
        [
            (Success, "all scenarios ran; the report is printed"),
            (Failure, "a scenario failed"),
            (Usage, "bad arguments (e.g. --repeat below 1)"),
            (Interrupted, "stopped by Ctrl-C or SIGTERM; its servers were killed and their data deleted"),
        ],
        "replay" =>
        [
            (Success, "the rollups were recomputed"),
            (Failure, "refused (a server holds the data directory) or failed"),
            (Usage, "bad arguments (e.g. --from is not a time, or not before --to)"),
        ],
        _ =>
        [
            (Success, "done"),
            (Failure, "the command could not do its work; stderr says why"),
            (Usage, "bad arguments: an unknown command or option, a missing or malformed value"),
            (Interrupted, "stopped by Ctrl-C or SIGTERM before it finished (bench)"),
        ],
    };

    public static void WriteHelpSection(TextWriter output, string command)
    {
        output.WriteLine("Exit codes:");
        foreach ((int code, string meaning) in For(command))
        {
            output.WriteLine($"  {code,-5}{meaning}");
        }

        output.WriteLine();
    }
}
