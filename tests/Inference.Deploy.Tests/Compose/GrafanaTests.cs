using System.Text.Json.Nodes;
using Inference.Deploy.Tests.Rendering;
using static Inference.Deploy.Tests.Rendering.RenderedManifests;

namespace Inference.Deploy.Tests.Compose;

/// <summary>The Grafana service: provisioning, the dashboard provider and the home dashboard reach it through mounts.</summary>
public sealed class GrafanaTests
{
    private static GrafanaProvisioning Grafana => new(ComposeFile.Repository.Grafana);

    /// <summary>The dashboard these tests hold the provisioning to.</summary>
    private static string DashboardFile => Path.Combine(ComposeFile.Repository.Folder, "deploy", "observability", "grafana", "dashboards", "inference.json");

    [Fact]
    public void GrafanaDatasource_Url_PointsAtPrometheusServiceListenPort()
    {
        var prometheus = new PrometheusConfig(ComposeFile.Repository.Prometheus);
        var datasource = Assert.Single(Grafana.Datasources, d => Str(d["type"]) == "prometheus");
        var url = new Uri(Str(datasource["url"])!);

        Assert.Equal(prometheus.Service.Name, url.Host);
        Assert.Equal(prometheus.ListenPort, url.Port);
        Assert.Equal("proxy", Str(datasource["access"]) ?? "proxy");
    }

    [Fact]
    public void GrafanaDashboardProvider_Path_IsMountedFromFolderHoldingTheDashboard()
    {
        var provider = Assert.Single(Grafana.DashboardProviders);
        var path = Str(provider["options"]?["path"]);
        Assert.True(path is not null, "the dashboard provider has no options.path");
        var mount = Grafana.Service.Mounts.SingleOrDefault(m => m.Target.TrimEnd('/') == path.TrimEnd('/'));

        Assert.True(mount is not null && mount.IsBind, $"no bind mount of the {Grafana.Service.Name} service has the provider's path {path} as its target");
        Assert.Equal("file", Str(provider["type"]) ?? "file");
        Assert.True(File.Exists(Path.Combine(mount.HostPath(ComposeFile.Repository.Folder), Path.GetFileName(DashboardFile))));
        Assert.Equal(Path.GetDirectoryName(DashboardFile), mount.HostPath(ComposeFile.Repository.Folder));
    }

    [Fact]
    public void GrafanaHomeDashboardPath_NamesMountedDashboardFile()
    {
        var home = Grafana.Service.Environment.GetValueOrDefault("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH");
        Assert.True(home is not null, "GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH is not set");
        var hostPath = Grafana.Service.HostPathOf(home);

        Assert.True(hostPath is not null && File.Exists(hostPath), $"{home} is not a repository file mounted into the {Grafana.Service.Name} service ({hostPath})");
        Assert.NotEmpty(JsonNode.Parse(File.ReadAllText(hostPath))?["panels"] as JsonArray ?? []);
    }

    [Fact]
    public void GrafanaDashboard_Datasources_AreProvisionedUidOrDatasourceVariable()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(DashboardFile))!.AsObject();

        Assert.Empty(DashboardDatasources.Problems(dashboard, Grafana.Datasources));
    }

    [Fact]
    public void GrafanaDashboard_ForeignDatasourceUid_IsReported()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(DashboardFile))!.AsObject();
        var panel = (dashboard["panels"] as JsonArray)?.FirstOrDefault()?.AsObject();
        Assert.True(panel is not null, "the dashboard has no panels");
        panel["datasource"] = new JsonObject { ["type"] = "prometheus", ["uid"] = "not-provisioned" };

        var problem = Assert.Single(DashboardDatasources.Problems(dashboard, Grafana.Datasources));

        Assert.Contains("not-provisioned", problem, StringComparison.Ordinal);
    }
}
