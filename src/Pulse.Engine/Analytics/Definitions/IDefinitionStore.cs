namespace Pulse.Analytics.Definitions;

/// <summary>Where user definitions are kept (the store), as their JSON documents by name.</summary>
public interface IDefinitionStore
{
    IReadOnlyList<(string Name, string Json)> LoadDefinitions();

    void SaveDefinition(string name, string json, long nowMs);

    bool DeleteDefinition(string name);
}
