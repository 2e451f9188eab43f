namespace Pulse.Tests.Deploy;

/// <summary>
/// A Dockerfile read into its stages and instructions (line continuations joined, comments and
/// parser directives dropped) — enough to check it against the code where no Docker engine exists.
/// </summary>
internal sealed class Dockerfile
{
    private Dockerfile(List<DockerStage> stages) => Stages = stages;

    public IReadOnlyList<DockerStage> Stages { get; }

    public DockerStage Final => Stages[^1];

    public static Dockerfile Parse(string text)
    {
        var stages = new List<DockerStage>();
        foreach (string line in LogicalLines(text))
        {
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            string keyword = (space < 0 ? line : line[..space]).ToUpperInvariant();
            string arguments = space < 0 ? "" : line[(space + 1)..].Trim();
            if (keyword == "FROM")
            {
                string[] parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                string? name = parts.Length == 3 && parts[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? parts[2] : null;
                stages.Add(new DockerStage(parts[0], name));
            }
            else if (stages.Count == 0)
            {
                throw new FormatException($"'{keyword}' before the first FROM");
            }
            else
            {
                stages[^1].Instructions.Add(new DockerInstruction(keyword, arguments));
            }
        }

        return new Dockerfile(stages);
    }

    private static IEnumerable<string> LogicalLines(string text)
    {
        var current = new System.Text.StringBuilder();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (current.Length == 0 && (line.TrimStart().StartsWith('#') || line.Trim().Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current.Append(line.AsSpan(0, line.Length - 1)).Append(' ');
                continue;
            }

            current.Append(line);
            yield return current.ToString().Trim();
            current.Clear();
        }

        if (current.Length > 0)
        {
            yield return current.ToString().Trim();
        }
    }
}

internal sealed record DockerStage(string Image, string? Name)
{
    public List<DockerInstruction> Instructions { get; } = [];

    public IEnumerable<string> All(string keyword) =>
        Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);

    public string Single(string keyword) => Assert.Single(All(keyword));
}

internal sealed record DockerInstruction(string Keyword, string Arguments);
