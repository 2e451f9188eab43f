using System.IO.Compression;
using System.Xml.Linq;
using Pulse.Tests.EndToEnd;

namespace Pulse.Tests.Client;

/// <summary>The Pulse.Client package that <c>dotnet pack</c> made (./test.sh packs it into artifacts/packages) is publishable as it is.</summary>
public sealed class PackageTests
{
    private static readonly string PackageDirectory = Path.Combine(RepoPaths.Root, "artifacts", "packages");

    [Fact]
    public void The_package_has_its_id_license_readme_library_and_dependencies()
    {
        string[] packages = Directory.Exists(PackageDirectory) ? Directory.GetFiles(PackageDirectory, "Pulse.Client.*.nupkg") : [];
        Assert.True(packages.Length == 1,
            $"expected one Pulse.Client .nupkg in {PackageDirectory} (./test.sh runs `dotnet pack src/Pulse.Client -c Release -o artifacts/packages`), found {packages.Length}");
        using ZipArchive package = ZipFile.OpenRead(packages[0]);
        ZipArchiveEntry nuspecEntry = Assert.Single(package.Entries, e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        XElement metadata;
        using (Stream nuspec = nuspecEntry.Open())
        {
            metadata = XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        }

        string Value(string name) => metadata.Elements().Single(e => e.Name.LocalName == name).Value;
        Assert.Equal("Pulse.Client", Value("id"));
        Assert.Equal("MIT", Value("license"));
        Assert.Equal("expression", metadata.Elements().Single(e => e.Name.LocalName == "license").Attribute("type")?.Value);
        Assert.Contains("event_id", Value("description"), StringComparison.Ordinal);
        string readme = Value("readme");
        Assert.Contains(package.Entries, e => e.FullName == readme);
        Assert.Contains(package.Entries, e => e.FullName == "lib/net10.0/Pulse.Client.dll");
        Assert.Contains(package.Entries, e => e.FullName == "lib/net10.0/Pulse.Client.xml");
        string[] dependencies = metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(
            ["Microsoft.Extensions.Hosting.Abstractions", "Microsoft.Extensions.Http", "Microsoft.Extensions.Logging.Abstractions", "Microsoft.Extensions.Options.ConfigurationExtensions"],
            dependencies);
    }
}
