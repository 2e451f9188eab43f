using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Pulse.Cli;
using Pulse.Tests.EndToEnd;

namespace Pulse.Tests.Deploy;

/// <summary>
/// No Docker engine exists here, so the Dockerfile is checked against the code it packages: the
/// command it runs parses with <c>pulse serve</c>'s own options, its port and volume agree with that
/// command, its health check asks a mapped route — and that check, run with bash, passes against a
/// real server and fails against a closed port.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed partial class DockerfileTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly Dockerfile Image = Dockerfile.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "Dockerfile")));

    [Fact]
    public void The_build_stage_is_the_sdk_with_node_and_builds_the_server_and_the_dashboard_into_its_web_root()
    {
        DockerStage build = Assert.Single(Image.Stages, s => s.Image.StartsWith("mcr.microsoft.com/dotnet/sdk:", StringComparison.Ordinal));
        Assert.NotSame(Image.Final, build);
        Assert.Equal("sdk:" + TargetFrameworkVersion(), build.Image.Split('/')[^1]);
        Assert.Contains(build.All("COPY"), c => c.StartsWith("--from=node ", StringComparison.Ordinal) && c.EndsWith("/usr/local/bin/node", StringComparison.Ordinal));
        foreach (string copy in build.All("COPY").Where(c => !c.StartsWith("--from", StringComparison.Ordinal)))
        {
            string[] parts = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (string source in parts[..^1])
            {
                Assert.True(Path.Exists(Path.Combine(RepoPaths.Root, source)), $"COPY {source}: not in the repository");
            }
        }

        string[] runs = [.. build.All("RUN")];
        Assert.Contains(runs, r => r.Contains("npm ci", StringComparison.Ordinal) && r.Contains("cd dashboard", StringComparison.Ordinal));
        Match publish = Assert.Single(runs.Select(r => PublishCommand().Match(r)), m => m.Success);
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, publish.Groups["project"].Value)));
        string appDirectory = publish.Groups["out"].Value;
        // The dashboard bundle lands where PulseServer looks for its web root: wwwroot beside the binary.
        Assert.Contains(runs, r => r.Contains("npm run build", StringComparison.Ordinal) && r.Contains($"--outDir {appDirectory}/wwwroot", StringComparison.Ordinal));
        Assert.Contains(Image.Final.All("COPY"), c => c == $"--from={build.Name} {appDirectory} ./");
        Assert.Equal(appDirectory, Image.Final.Single("WORKDIR"));
    }

    [Fact]
    public void The_runtime_stage_is_the_aspnet_image_run_by_a_user_who_is_not_root_and_owns_the_data_volume()
    {
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:" + TargetFrameworkVersion(), Image.Final.Image);
        string user = Image.Final.Single("USER");
        string uid = user.Split(':')[0];
        Assert.True(uid is not ("root" or "0" or ""), $"USER {user} is root");
        Assert.True(int.TryParse(uid, out _), $"USER {user}: a numeric id lets Kubernetes' runAsNonRoot verify it");
        string volume = Image.Final.Single("VOLUME");
        Assert.Contains(Image.Final.All("RUN"), r => r.Contains($"chown {uid}", StringComparison.Ordinal) && r.Contains(volume, StringComparison.Ordinal));
        // The user is set before the entrypoint, after everything that needs root.
        int userAt = Image.Final.Instructions.FindIndex(i => i.Keyword == "USER");
        Assert.True(Image.Final.Instructions.FindLastIndex(i => i.Keyword == "RUN") < userAt);
    }

    [Fact]
    public void The_entrypoint_is_pulse_serve_with_options_it_has_on_the_exposed_port_and_the_volume()
    {
        string[] entry = JsonSerializer.Deserialize<string[]>(Image.Final.Single("ENTRYPOINT"))!;
        Assert.Equal("dotnet", entry[0]);
        Assert.Equal(Path.GetFileName(typeof(ServeCommand).Assembly.Location), entry[1]);
        System.CommandLine.Command serve = ServeCommand.Create();
        Assert.Equal(serve.Name, entry[2]);
        System.CommandLine.ParseResult parsed = serve.Parse(entry[3..]);
        Assert.Empty(parsed.Errors);
        // serve passes unknown tokens on as configuration, so every token must have been one of its options.
        Assert.Empty(parsed.UnmatchedTokens);
        var urls = new Uri(parsed.GetValue<string>("--urls")!);
        Assert.Equal("0.0.0.0", urls.Host);
        Assert.Equal(Image.Final.Single("EXPOSE"), urls.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Image.Final.Single("VOLUME"), parsed.GetValue<string>("--data"));
    }

    [Fact]
    public async Task The_health_check_asks_a_mapped_route_and_passes_against_a_real_server_and_fails_on_a_closed_port()
    {
        string healthcheck = Image.Final.Single("HEALTHCHECK");
        string[] command = JsonSerializer.Deserialize<string[]>(healthcheck[(healthcheck.IndexOf("CMD ", StringComparison.Ordinal) + 4)..])!;
        Assert.Equal(["bash", "-c"], command[..2]);
        string script = command[2];
        string path = HealthPath().Match(script).Value;
        Assert.Contains(OpenApiDocumentTests.MappedRoutes(), r => r.Pattern == path && r.Methods.Contains("GET"));
        string exposed = Image.Final.Single("EXPOSE");
        Assert.Contains($"/127.0.0.1/{exposed} ", script, StringComparison.Ordinal);

        Assert.Equal(0, await RunBashAsync(script.Replace($"/{exposed} ", $"/{fixture.Server.Port} ", StringComparison.Ordinal)));
        Assert.NotEqual(0, await RunBashAsync(script.Replace($"/{exposed} ", $"/{PulseProcess.FreePort()} ", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_build_context_leaves_out_build_output_packages_data_and_git()
    {
        string[] ignored = File.ReadAllLines(Path.Combine(RepoPaths.Root, ".dockerignore"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        foreach (string required in (string[])[".git", "**/bin", "**/obj", "artifacts", "data", "**/node_modules"])
        {
            Assert.Contains(required, ignored);
        }

        // Nothing the build stage copies may be ignored.
        Assert.DoesNotContain("src", ignored);
        Assert.DoesNotContain("dashboard", ignored);
    }

    private static async Task<int> RunBashAsync(string script)
    {
        using var bash = Process.Start(new ProcessStartInfo("bash", ["-c", script]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await bash.WaitForExitAsync(timeout.Token);
        return bash.ExitCode;
    }

    /// <summary>"10.0" of net10.0: the images must carry the runtime the code targets.</summary>
    private static string TargetFrameworkVersion() => Environment.Version.ToString(2);

    [GeneratedRegex(@"dotnet publish (?<project>\S+\.csproj) .*-o (?<out>/\S+)")]
    private static partial Regex PublishCommand();

    [GeneratedRegex(@"/health/[a-z]+")]
    private static partial Regex HealthPath();
}
