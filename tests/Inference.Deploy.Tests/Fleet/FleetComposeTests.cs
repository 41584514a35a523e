using System.Text.Json.Nodes;
using Inference.Deploy.Tests.Rendering;
using static Inference.Deploy.Tests.Rendering.RenderedManifests;

namespace Inference.Deploy.Tests.Fleet;

/// <summary>docker-compose.scale.yml: three identical replicas behind HAProxy, HAProxy's config mounted, Prometheus scraping both.</summary>
public sealed class FleetComposeTests
{
    [Fact]
    public void Replicas_AreThreeIdenticalServicesWithAShutdownDelayAndARestartPolicy()
    {
        var replicas = FleetFiles.Replicas;

        Assert.Equal(3, replicas.Count);
        Assert.All(replicas, r => Assert.Equal(replicas[0].Node.ToJsonString(), r.Node.ToJsonString()));
        Assert.All(replicas, r => Assert.Empty(r.Ports));
        Assert.Equal("unless-stopped", Str(replicas[0].Node["restart"]));
        Assert.True(FleetFiles.ReplicaSetting(replicas[0], "Lifecycle:ShutdownDelay") > TimeSpan.Zero, "the replicas have no Lifecycle:ShutdownDelay");
    }

    [Fact]
    public void Replicas_StopGracePeriod_ExceedsShutdownDelayPlusShutdownTimeoutPlusTheHostsMargin()
    {
        var replica = FleetFiles.Replicas[0];
        var grace = GoDuration.Parse(Str(replica.Node["stop_grace_period"])!);
        var shutdown = FleetFiles.ReplicaSetting(replica, "Lifecycle:ShutdownDelay") + FleetFiles.ReplicaSetting(replica, "Inference:ShutdownTimeout")
            + TimingAgreementTests.HostShutdownMargin;

        Assert.True(grace > shutdown, $"stop_grace_period {grace} is not above ShutdownDelay + ShutdownTimeout + 5 s = {shutdown}");
    }

    [Fact]
    public void Haproxy_MountsTheRepositoryConfigAndPublishesEveryFrontend()
    {
        var haproxy = FleetFiles.Haproxy;
        var config = haproxy.HostPathOf("/usr/local/etc/haproxy/haproxy.cfg");
        var binds = HaproxyConfig.Repository.Frontends.SelectMany(f => f.All("bind")).Select(b => int.Parse(b[0].TrimStart(':'), System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(Path.GetFullPath(HaproxyConfig.RepositoryPath), config is null ? null : Path.GetFullPath(config));
        Assert.Equal(binds.Order(), haproxy.Ports.Select(p => p.Target).Order());
        Assert.All(haproxy.Ports, p => Assert.NotNull(ComposeVariables.Override(p.Published!)));
        Assert.Equal("SIGUSR1", Str(haproxy.Node["stop_signal"]));
    }

    [Fact]
    public void Images_AndHostPorts_HaveDistinctOverridesWithDefaults()
    {
        var compose = FleetFiles.Compose;
        var ports = compose.Services.SelectMany(s => s.Ports).ToList();

        Assert.All(compose.Services, s => Assert.True(ComposeVariables.Override(s.Image ?? "") is not null, $"{s.Name}: image '{s.Image}' is not ${{VAR:-default}}"));
        Assert.All(ports, p => Assert.True(ComposeVariables.Override(p.Published ?? "") is not null, $"host port of {p.Target} is not ${{VAR:-default}}"));
        Assert.Equal(ports.Count, ports.Select(p => p.PublishedDefault).Distinct().Count());
        Assert.Equal(ports.Count, ports.Select(p => ComposeVariables.Override(p.Published!)!.Value.Variable).Distinct().Count());
    }

    [Fact]
    public void BindMounts_RelativeSources_ExistInRepository()
    {
        var binds = FleetFiles.Compose.Services.SelectMany(s => s.Mounts.Where(m => m.IsBind)).ToList();

        Assert.NotEmpty(binds);
        Assert.All(binds, b =>
        {
            var path = b.HostPath(FleetFiles.Compose.Folder);
            Assert.True(File.Exists(path) || Directory.Exists(path), $"{b.Source} (mounted at {b.Target}) does not exist");
        });
    }

    [Fact]
    public void Prometheus_ScrapesEveryReplicaAndHaproxysExporter()
    {
        var prometheus = new PrometheusConfig(FleetFiles.Prometheus);
        var jobs = (prometheus.Config["scrape_configs"] as JsonArray ?? []).Select(j => j!.AsObject()).ToList();
        var stats = HaproxyConfig.Repository.Get("frontend", "stats");
        var statsPort = stats.All("bind").Single()[0].TrimStart(':');
        var exporterPath = string.Join(' ', stats.All("http-request").Single(l => l.Contains("prometheus-exporter")));

        Assert.Equal(
            FleetFiles.Replicas.Select(r => $"{r.Name}:{ServiceEndpoints.RestPort}").Order(),
            Targets(jobs.Single(j => Str(j["job_name"]) == "image-inference")).Order());
        var haproxyJob = jobs.Single(j => Str(j["job_name"]) == "haproxy");
        Assert.Equal([$"{FleetFiles.Haproxy.Name}:{statsPort}"], Targets(haproxyJob));
        Assert.Contains($"{{ path {Str(haproxyJob["metrics_path"])} }}", exporterPath, StringComparison.Ordinal);
        Assert.Empty(prometheus.UnmountedRuleFiles());
    }

    private static IEnumerable<string> Targets(JsonObject job) =>
        (job["static_configs"] as JsonArray ?? []).SelectMany(c => c!["targets"]!.AsArray().Select(t => Str(t)!));
}
