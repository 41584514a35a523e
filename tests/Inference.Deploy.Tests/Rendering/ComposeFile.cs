using System.Text.Json.Nodes;
using Inference.TestSupport;
using static Inference.Deploy.Tests.Rendering.RenderedManifests;

namespace Inference.Deploy.Tests.Rendering;

/// <summary>
/// docker-compose.yml, parsed. The services are found by what they are, not by their names: the one built from
/// this repository, and the ones whose image is Prometheus and Grafana.
/// </summary>
internal sealed class ComposeFile
{
    private static readonly Lazy<ComposeFile> LazyRepository = new(() =>
    {
        var path = Path.Combine(SharedData.RepositoryRoot, "docker-compose.yml");
        return new ComposeFile(File.ReadAllText(path), SharedData.RepositoryRoot);
    });

    public ComposeFile(string yaml, string directory)
    {
        Folder = directory;
        Root = YamlFile.Parse(yaml, "docker-compose.yml");
        var services = Root["services"] as JsonObject;
        Assert.True(services is not null, "docker-compose.yml has no services");
        Services = [.. services.Select(p => new ComposeService(p.Key, p.Value!.AsObject(), directory))];
    }

    /// <summary>The repository's docker-compose.yml.</summary>
    public static ComposeFile Repository => LazyRepository.Value;

    public string Folder { get; }

    public JsonObject Root { get; }

    public IReadOnlyList<ComposeService> Services { get; }

    /// <summary>The service built from this repository (its build context is the compose file's folder).</summary>
    public ComposeService Inference => SingleService(
        s => s.Node["build"] is { } build && Path.GetFullPath(Path.Combine(Folder, Str(build is JsonObject ? build["context"] : build) ?? ".")) == Path.GetFullPath(Folder),
        "built from this repository");

    public ComposeService Prometheus => SingleService(s => s.ImageName == "prometheus", "running a prometheus image");

    public ComposeService Grafana => SingleService(s => s.ImageName == "grafana", "running a grafana image");

    private ComposeService SingleService(Func<ComposeService, bool> predicate, string what)
    {
        var matches = Services.Where(predicate).ToList();
        Assert.True(matches.Count == 1, $"expected one compose service {what}, found {matches.Count}: {string.Join(", ", matches.Select(s => s.Name))}");
        return matches[0];
    }
}
