using System.Globalization;
using System.Text.Json.Nodes;
using Inference.Deploy.Tests.Rendering;
using static Inference.Deploy.Tests.Rendering.RenderedManifests;

namespace Inference.Deploy.Tests.K8s;

/// <summary>Invariants every overlay of deploy/k8s must keep, checked on what kustomize renders.</summary>
public sealed class OverlayInvariantTests
{
    public static TheoryData<string> Overlays => new("cpu", "gpu");

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Probes_PathsAndPorts_MatchTheServiceEndpoints(string overlay)
    {
        var manifests = RenderOrSkip(overlay);
        var container = manifests.Container;

        var readiness = container["readinessProbe"]!["httpGet"]!;
        var liveness = container["livenessProbe"]!["httpGet"]!;

        Assert.Equal(ServiceEndpoints.ReadyPath, Str(readiness["path"]));
        Assert.Equal(ServiceEndpoints.LivePath, Str(liveness["path"]));
        Assert.Equal(ServiceEndpoints.HealthcheckPath(), Str(readiness["path"]));
        Assert.Equal(ServiceEndpoints.RestPort, manifests.ContainerPort(readiness["port"]));
        Assert.Equal(ServiceEndpoints.RestPort, manifests.ContainerPort(liveness["port"]));
        Assert.Equal(ServiceEndpoints.GrpcPort, manifests.ContainerPort("grpc"));
        Assert.Equal(ServiceEndpoints.ExposedPorts(), [ServiceEndpoints.RestPort, ServiceEndpoints.GrpcPort]);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void HealthPaths_AreMappedByTheService(string overlay)
    {
        var sources = ServiceEndpoints.ApiSources();
        Assert.SkipUnless(sources.Contains("/health/", StringComparison.Ordinal),
            "src/Inference.Api maps no health endpoints yet (the service has not landed in this tree).");
        var container = RenderOrSkip(overlay).Container;

        Assert.Contains(Str(container["readinessProbe"]!["httpGet"]!["path"])!, sources, StringComparison.Ordinal);
        Assert.Contains(Str(container["livenessProbe"]!["httpGet"]!["path"])!, sources, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void TerminationGracePeriod_ExceedsPreStopPlusDrainTimeout(string overlay)
    {
        var manifests = RenderOrSkip(overlay);
        var grace = TimeSpan.FromSeconds(Int(manifests.PodSpec["terminationGracePeriodSeconds"]));
        var preStop = manifests.Container["lifecycle"]!["preStop"]!["exec"]!["command"]!.AsArray().Select(Str).ToList();
        var drain = TimeSpan.Parse(Str(AppSettings(manifests)["Inference"]!["ShutdownTimeout"])!, CultureInfo.InvariantCulture);

        Assert.Equal("sleep", preStop[0]);
        var preStopDelay = TimeSpan.FromSeconds(int.Parse(preStop[1]!, CultureInfo.InvariantCulture));
        Assert.True(grace > preStopDelay + drain, $"grace {grace} is not above preStop {preStopDelay} + drain {drain}");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void ConfigMap_IsMountedAsAppSettingsAndItsKeysAreKnownToTheService(string overlay)
    {
        var manifests = RenderOrSkip(overlay);
        var configMapName = Str(manifests.Single("ConfigMap")["metadata"]!["name"]);
        var volume = manifests.PodSpec["volumes"]!.AsArray().Single(v => v!["configMap"] is not null)!;
        var mount = manifests.Container["volumeMounts"]!.AsArray().Single(m => Str(m!["name"]) == Str(volume["name"]))!;

        Assert.Equal(configMapName, Str(volume["configMap"]!["name"]));
        Assert.Equal("/app/appsettings.Production.json", Str(mount["mountPath"]));
        Assert.Contains(manifests.Container["env"]!.AsArray(), e => Str(e!["name"]) == "ASPNETCORE_ENVIRONMENT" && Str(e["value"]) == "Production");

        Assert.SkipWhen(ServiceEndpoints.AppSettingsPath is null, "src/Inference.Api/appsettings.json is not in this tree yet; its keys are compared once it lands.");
        var known = ServiceEndpoints.ApiSources() + File.ReadAllText(ServiceEndpoints.AppSettingsPath!) + EngineSources();
        foreach (var key in LeafKeys(AppSettings(manifests)["Inference"]!.AsObject()))
        {
            Assert.True(known.Contains(key, StringComparison.Ordinal), $"the ConfigMap sets Inference:{key}, which the service never reads");
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void PodAndContainer_AreLockedDown(string overlay)
    {
        var manifests = RenderOrSkip(overlay);
        var pod = manifests.PodSpec["securityContext"]!;
        var container = manifests.Container["securityContext"]!;

        Assert.Equal("true", Str(pod["runAsNonRoot"]));
        Assert.Equal("RuntimeDefault", Str(pod["seccompProfile"]!["type"]));
        Assert.Equal("1654", Str(pod["runAsUser"]));
        Assert.Equal("true", Str(container["readOnlyRootFilesystem"]));
        Assert.Equal("false", Str(container["allowPrivilegeEscalation"]));
        Assert.Equal(["ALL"], container["capabilities"]!["drop"]!.AsArray().Select(Str));
        var writable = manifests.Container["volumeMounts"]!.AsArray().Where(m => Str(m!["readOnly"]) != "true").Select(m => Str(m!["mountPath"])).Order();
        Assert.Equal(["/tmp", "/var/cache/inference"], writable);
        Assert.NotNull(manifests.PodSpec["topologySpreadConstraints"]);
        Assert.NotNull(manifests.Container["resources"]!["requests"]!["cpu"]);
        Assert.NotNull(manifests.Container["resources"]!["limits"]!["memory"]);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Services_NameHttpAndGrpcPortsForL7AndOfferAHeadlessGrpcService(string overlay)
    {
        var manifests = RenderOrSkip(overlay);
        var service = manifests.Single("Service", "image-inference");
        var headless = manifests.Single("Service", "image-inference-grpc");
        var ports = service["spec"]!["ports"]!.AsArray();
        var http = ports.Single(p => Str(p!["name"]) == "http")!;
        var grpc = ports.Single(p => Str(p!["name"]) == "grpc")!;

        Assert.Equal(ServiceEndpoints.RestPort, manifests.ContainerPort(http["targetPort"]));
        Assert.Equal(ServiceEndpoints.GrpcPort, manifests.ContainerPort(grpc["targetPort"]));
        Assert.Equal("kubernetes.io/h2c", Str(grpc["appProtocol"]));
        Assert.Equal("None", Str(headless["spec"]!["clusterIP"]));
        Assert.Equal(ServiceEndpoints.GrpcPort, manifests.ContainerPort(headless["spec"]!["ports"]![0]!["targetPort"]));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Selectors_OfServicePdbAndMonitor_SelectThePods(string overlay)
    {
        var manifests = RenderOrSkip(overlay);
        var podLabels = manifests.Deployment["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
        var selectors = new[]
        {
            manifests.Single("Service", "image-inference")["spec"]!["selector"]!.AsObject(),
            manifests.Single("PodDisruptionBudget")["spec"]!["selector"]!["matchLabels"]!.AsObject(),
        };
        var monitor = manifests.Single("ServiceMonitor");
        var hpa = manifests.Single("HorizontalPodAutoscaler");

        Assert.All(selectors, selector => Assert.All(selector, pair => Assert.Equal(Str(pair.Value), Str(podLabels[pair.Key]))));
        Assert.Equal("/metrics", Str(monitor["spec"]!["endpoints"]![0]!["path"]));
        Assert.Equal("http", Str(monitor["spec"]!["endpoints"]![0]!["port"]));
        Assert.Equal("image-inference", Str(hpa["spec"]!["scaleTargetRef"]!["name"]));
        Assert.Equal("cpu", Str(hpa["spec"]!["metrics"]![0]!["resource"]!["name"]));
    }

    [Theory]
    [InlineData("cpu", "cpu", "1.0.0")]
    [InlineData("gpu", "cuda", "1.0.0-cuda")]
    public void Image_AndExecutionProvider_MatchTheOverlay(string overlay, string provider, string tag)
    {
        var manifests = RenderOrSkip(overlay);

        Assert.Equal($"image-inference:{tag}", Str(manifests.Container["image"]));
        Assert.Contains(manifests.Container["env"]!.AsArray(), e => Str(e!["name"]) == "Inference__ExecutionProvider" && Str(e["value"]) == provider);
        Assert.Contains(tag.EndsWith("-cuda", StringComparison.Ordinal) ? " AS cuda" : " AS runtime", ServiceEndpoints.Dockerfile, StringComparison.Ordinal);
    }

    private static RenderedManifests RenderOrSkip(string overlay)
    {
        Assert.SkipWhen(Kustomize.MissingReason is not null, Kustomize.MissingReason ?? string.Empty);
        return Kustomize.Render(overlay);
    }

    private static JsonObject AppSettings(RenderedManifests manifests) =>
        JsonNode.Parse(Str(manifests.Single("ConfigMap")["data"]!["appsettings.Production.json"])!)!.AsObject();

    private static IEnumerable<string> LeafKeys(JsonObject section) =>
        section.SelectMany(pair => pair.Value is JsonObject child ? LeafKeys(child) : [pair.Key]);

    private static string EngineSources() => string.Join('\n',
        Directory.EnumerateFiles(Path.Combine(Inference.TestSupport.SharedData.RepositoryRoot, "src", "Inference.Engine"), "*.cs", SearchOption.AllDirectories)
            .Select(File.ReadAllText));
}
