using System.CommandLine;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Pulse.Cli;
using Pulse.Tests.EndToEnd;

namespace Pulse.Tests.Cli;

/// <summary>The exit codes: listed by <c>--help</c> and docs/operations.md, and the ones bad command lines really get.</summary>
public sealed partial class ExitCodeTests
{
    private static readonly string[] Commands = ["serve", "generate", "bench", "replay"];

    [Fact]
    public async Task Help_of_pulse_and_of_each_command_ends_with_the_codes_it_uses()
    {
        foreach (string command in (string[])["", .. Commands])
        {
            string[] args = command.Length == 0 ? ["--help"] : [command, "--help"];
            (int code, string output) = await RunInProcessAsync(args);
            Assert.Equal(ExitCodes.Success, code);
            int section = output.LastIndexOf("Exit codes:", StringComparison.Ordinal);
            Assert.True(section > 0, $"pulse {command} --help has no exit codes:\n{output}");
            string[] listed = output[section..].Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)[1..];
            Assert.Equal(ExitCodes.For(command).Select(c => $"{c.Code,-5}{c.Meaning}".Trim()), listed);
        }
    }

    [Theory]
    [InlineData("no-such-command")]
    [InlineData("generate", "--rate", "not-a-number")]
    [InlineData("generate", "--target", "ftp://example", "--count", "1")]
    [InlineData("generate", "--duration", "forever", "--out", "-")]
    [InlineData("serve", "--config", "/nonexistent/pulse.json")]
    [InlineData("replay", "--from", "not-a-time")]
    [InlineData("serve", "--urls")]
    public async Task A_bad_command_line_exits_with_2(params string[] args)
    {
        (int code, string output) = await RunInProcessAsync(args);
        Assert.True(code == ExitCodes.Usage, $"pulse {string.Join(' ', args)} exited with {code}:\n{output}");
    }

    [Fact]
    public void The_operations_doc_lists_the_codes_of_every_command()
    {
        string doc = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "operations.md"));
        var documented = DocRow().Matches(doc).Select(m => (m.Groups["command"].Value, int.Parse(m.Groups["code"].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups["meaning"].Value.Replace("`", "", StringComparison.Ordinal).Trim())).ToList();
        var actual = Commands.SelectMany(c => ExitCodes.For(c).Select(e => (c, e.Code, e.Meaning))).ToList();
        Assert.Equal(actual, documented);
    }

    [Fact]
    [Trait("Category", "EndToEnd")]
    public async Task The_built_binary_prints_them_too()
    {
        Assert.True(File.Exists(RepoPaths.PulseDll), $"{RepoPaths.PulseDll} is missing: run ./test.sh");
        var info = new ProcessStartInfo("dotnet", [RepoPaths.PulseDll, "--help"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process pulse = Process.Start(info)!;
        Task<string> output = pulse.StandardOutput.ReadToEndAsync();
        await pulse.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        Assert.Equal(0, pulse.ExitCode);
        Assert.Contains("Exit codes:", await output, StringComparison.Ordinal);
        Assert.Contains("130", await output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output)> RunInProcessAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await PulseCommandLine.RunAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString() + error);
    }

    [GeneratedRegex(@"^\| `(?<command>serve|generate|bench|replay)` \| (?<code>\d+) \| (?<meaning>[^|]+) \|$", RegexOptions.Multiline)]
    private static partial Regex DocRow();
}
