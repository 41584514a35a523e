using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Inference.Deploy.Tests.Rendering;
using static Inference.Deploy.Tests.Rendering.RenderedManifests;

namespace Inference.Deploy.Tests.Fleet;

/// <summary>
/// The shutdown timings of deploy/k8s, docker-compose.scale.yml and deploy/haproxy agree: a replica leaves every
/// pool before its listener closes, its drain ends before anything SIGKILLs it, and both stacks use the same numbers
/// (docs/deploy.md, "Rollouts behind a load balancer").
/// </summary>
public sealed partial class TimingAgreementTests
{
    public static TheoryData<string> Overlays => new("cpu", "gpu", "cpu-queue");

    /// <summary>What the host adds to Inference:ShutdownTimeout for its own shutdown (src/Inference.Api/Hosting).</summary>
    public static TimeSpan HostShutdownMargin
    {
        get
        {
            var match = HostMargin().Match(ServiceEndpoints.ApiSources());
            Assert.True(match.Success, "src/Inference.Api no longer sets HostOptions.ShutdownTimeout to Inference:ShutdownTimeout + a margin");
            return TimeSpan.FromSeconds(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void Haproxy_TakesAReplicaOutOfThePool_BeforeItsShutdownDelayEnds()
    {
        var leave = FleetFiles.HaproxyTimeToLeavePool(HaproxyConfig.Repository);
        var delay = FleetFiles.ReplicaSetting(FleetFiles.Replicas[0], "Lifecycle:ShutdownDelay");

        Assert.True(leave < delay, $"HAProxy may route to a draining replica for {leave} (inter x fall + timeout check), not less than its ShutdownDelay {delay}");
    }

    [Fact]
    public void Haproxy_TimeoutServer_IsAboveTheServicesRequestTimeout()
    {
        var server = HaproxyConfig.Repository.Defaults.Directive("timeout server");
        var requestTimeout = FleetFiles.ReplicaSetting(FleetFiles.Replicas[0], "Inference:RequestTimeout");

        Assert.True(server is [var value] && HaproxyConfig.Duration(value) > requestTimeout,
            $"timeout server {server?[0]} is not above Inference:RequestTimeout {requestTimeout}: HAProxy would cut requests the service still works on");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void ReadinessProbe_HasHaproxysCheckTimings_AndEndsBeforeTheShutdownDelay(string overlay)
    {
        var manifests = RenderOrSkip(overlay);
        var probe = manifests.Container["readinessProbe"]!;
        var server = HaproxyConfig.Repository.Defaults.Directive("default-server")!;
        var period = TimeSpan.FromSeconds(Int(probe["periodSeconds"]));
        var timeout = TimeSpan.FromSeconds(Int(probe["timeoutSeconds"]));
        var failures = Int(probe["failureThreshold"]);

        Assert.Equal(HaproxyConfig.Duration(HaproxyConfig.Section.OptionValue(server, "inter")!), period);
        Assert.Equal(HaproxyConfig.Section.OptionValue(server, "fall"), failures.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(HaproxyConfig.Section.OptionValue(server, "rise"), Str(probe["successThreshold"]));
        Assert.Equal(HaproxyConfig.Duration(HaproxyConfig.Repository.Defaults.Directive("timeout check")![0]), timeout);
        var delay = Setting(manifests, "Lifecycle", "ShutdownDelay");
        Assert.True((period * failures) + timeout < delay, $"readiness takes up to {(period * failures) + timeout} to fail, not less than ShutdownDelay {delay}");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void ShutdownDelayAndTimeout_AreTheSameInKubernetesAndCompose(string overlay)
    {
        var manifests = RenderOrSkip(overlay);
        var replica = FleetFiles.Replicas[0];

        Assert.Equal(FleetFiles.ReplicaSetting(replica, "Lifecycle:ShutdownDelay"), Setting(manifests, "Lifecycle", "ShutdownDelay"));
        Assert.Equal(FleetFiles.ReplicaSetting(replica, "Inference:ShutdownTimeout"), Setting(manifests, "Inference", "ShutdownTimeout"));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void TerminationGracePeriod_ExceedsPreStopPlusShutdownDelayPlusShutdownTimeoutPlusTheHostsMargin(string overlay)
    {
        var manifests = RenderOrSkip(overlay);
        var grace = TimeSpan.FromSeconds(Int(manifests.PodSpec["terminationGracePeriodSeconds"]));
        var preStop = manifests.Container["lifecycle"]!["preStop"]!["exec"]!["command"]!.AsArray().Select(Str).ToList();
        Assert.Equal("sleep", preStop[0]);
        var total = TimeSpan.FromSeconds(int.Parse(preStop[1]!, CultureInfo.InvariantCulture))
            + Setting(manifests, "Lifecycle", "ShutdownDelay") + Setting(manifests, "Inference", "ShutdownTimeout") + HostShutdownMargin;

        Assert.True(grace > total, $"terminationGracePeriodSeconds {grace} is not above preStop + ShutdownDelay + ShutdownTimeout + host margin = {total}");
    }

    private static RenderedManifests RenderOrSkip(string overlay)
    {
        Assert.SkipWhen(Kustomize.MissingReason is not null, Kustomize.MissingReason ?? string.Empty);
        return Kustomize.Render(overlay);
    }

    private static TimeSpan Setting(RenderedManifests manifests, string section, string key)
    {
        var settings = JsonNode.Parse(Str(manifests.Single("ConfigMap")["data"]!["appsettings.Production.json"])!)!;
        var value = Str(settings[section]?[key]);
        Assert.True(value is not null, $"appsettings.Production.json (ConfigMap) sets no {section}:{key}");
        return TimeSpan.Parse(value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"ShutdownTimeout\s*\+\s*TimeSpan\.FromSeconds\(([0-9]+)\)")]
    private static partial Regex HostMargin();
}
