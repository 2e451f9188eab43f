namespace Pulse.Tests.EndToEnd;

/// <summary>Finds the repository and the server binary that <c>./pulse</c> and <c>./test.sh</c> build.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string PulseDll => Path.Combine(Root, "artifacts", "pulse", "pulse.dll");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pulse.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Pulse.slnx not found above " + AppContext.BaseDirectory);
    }
}
