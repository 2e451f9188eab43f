namespace Pulse.Analytics.Predicates;

/// <summary>One mistake in a definition: where it is (a JSON path such as <c>steps[1].page</c>) and how to fix it.</summary>
public readonly record struct DefinitionError(string Path, string Message)
{
    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";
}
