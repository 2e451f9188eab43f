using Pulse.Tests.EndToEnd;

namespace Pulse.Tests.Client;

/// <summary>One real Pulse server shared by the client's test classes.</summary>
[CollectionDefinition(Name)]
public sealed class ClientServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "Pulse.Client against a real server";
}
