using System.Text.Json.Nodes;
using static Inference.Deploy.Tests.Rendering.RenderedManifests;

namespace Inference.Deploy.Tests.Rendering;

/// <summary>The Grafana service of a compose file and the provisioning files its mounts bring in.</summary>
internal sealed class GrafanaProvisioning(ComposeService grafana)
{
    /// <summary>Grafana's default for <c>GF_PATHS_PROVISIONING</c>.</summary>
    private const string DefaultProvisioningPath = "/etc/grafana/provisioning";

    public ComposeService Service { get; } = grafana;

    public string ProvisioningPath => Service.Environment.GetValueOrDefault("GF_PATHS_PROVISIONING") ?? DefaultProvisioningPath;

    /// <summary>Every entry of <c>datasources</c> in the provisioning folder's datasources/*.yaml.</summary>
    public IReadOnlyList<JsonObject> Datasources => [.. Entries("datasources", "datasources")];

    /// <summary>Every entry of <c>providers</c> in the provisioning folder's dashboards/*.yaml.</summary>
    public IReadOnlyList<JsonObject> DashboardProviders => [.. Entries("dashboards", "providers")];

    private IEnumerable<JsonObject> Entries(string folder, string key)
    {
        var containerPath = $"{ProvisioningPath}/{folder}";
        var hostPath = Service.HostPathOf(containerPath);
        Assert.True(hostPath is not null && Directory.Exists(hostPath), $"no repository folder is mounted at {containerPath} in the {Service.Name} service");
        return Directory.EnumerateFiles(hostPath)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .SelectMany(f => YamlFile.Load(f)[key] as JsonArray ?? [])
            .Select(e => e!.AsObject());
    }
}
