using System.Text.Json.Nodes;
using Inference.Deploy.Tests.Rendering;
using static Inference.Deploy.Tests.Rendering.RenderedManifests;

namespace Inference.Deploy.Tests.Compose;

/// <summary>The Prometheus service: its config file and rule files reach it through mounts, and it scrapes the service.</summary>
public sealed class PrometheusTests
{
    private static PrometheusConfig Prometheus => new(ComposeFile.Repository.Prometheus);

    [Fact]
    public void Prometheus_ConfigFileOfCommand_IsMountedFromRepositoryFile()
    {
        var hostPath = Prometheus.ConfigHostPath;

        Assert.True(hostPath is not null, $"no bind mount of the prometheus service covers --config.file={Prometheus.ConfigContainerPath}");
        Assert.True(File.Exists(hostPath), $"--config.file={Prometheus.ConfigContainerPath} is mounted from {hostPath}, which does not exist");
        Assert.StartsWith(ComposeFile.Repository.Folder + Path.DirectorySeparatorChar, hostPath, StringComparison.Ordinal);
    }

    [Fact]
    public void Prometheus_ScrapeTarget_IsInferenceServiceRestPort()
    {
        var expected = $"{ComposeFile.Repository.Inference.Name}:{ServiceEndpoints.RestPort}";
        var targets = ScrapeJobs().SelectMany(StaticTargets).ToList();

        Assert.Contains(expected, targets);
        Assert.All(targets, t => Assert.Equal(expected, t));
    }

    [Fact]
    public void Prometheus_ScrapeJobMetricsPath_IsTheServiceMetricsPath()
    {
        var servicePath = ServiceConfiguration.Get(ComposeFile.Repository.Inference, "Observability:MetricsPath");
        var job = Assert.Single(ScrapeJobs());

        Assert.Equal("/metrics", servicePath);
        Assert.Equal(servicePath, Str(job["metrics_path"]) ?? "/metrics");
        Assert.Equal("http", Str(job["scheme"]) ?? "http");
    }

    [Fact]
    public void Prometheus_RuleFiles_AreMountedFromRepositoryFiles()
    {
        Assert.NotEmpty(Prometheus.Config["rule_files"] as JsonArray ?? []);

        Assert.Empty(Prometheus.UnmountedRuleFiles());
    }

    [Fact]
    public void Prometheus_RuleFilesMountRemoved_IsReported()
    {
        var compose = File.ReadAllLines(Path.Combine(ComposeFile.Repository.Folder, "docker-compose.yml"));
        var ruleMounts = compose.Where(l => l.TrimStart().StartsWith("- ./", StringComparison.Ordinal) && l.Contains("rules", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(ruleMounts);
        var withoutRules = new ComposeFile(string.Join('\n', compose.Where(l => !ruleMounts.Contains(l))), ComposeFile.Repository.Folder);

        var problems = new PrometheusConfig(withoutRules.Prometheus).UnmountedRuleFiles();

        Assert.NotEmpty(problems);
        Assert.All(problems, p => Assert.Contains("no bind mount", p, StringComparison.Ordinal));
    }

    [Fact]
    public void Prometheus_PublishedPort_TargetsItsListenPort()
    {
        var port = Assert.Single(Prometheus.Service.Ports);

        Assert.Equal(Prometheus.ListenPort, port.Target);
    }

    private static IReadOnlyList<JsonObject> ScrapeJobs() =>
        [.. (Prometheus.Config["scrape_configs"] as JsonArray ?? []).Select(j => j!.AsObject())];

    private static IEnumerable<string> StaticTargets(JsonObject job) =>
        (job["static_configs"] as JsonArray ?? []).SelectMany(c => c!["targets"] as JsonArray ?? []).Select(t => Str(t)!);
}
