using System.Text.Json.Nodes;
using Inference.Deploy.Tests.Rendering;
using Inference.TestSupport;
using static Inference.Deploy.Tests.Rendering.RenderedManifests;

namespace Inference.Deploy.Tests.Fleet;

/// <summary>
/// overlays/cpu-queue: the cpu overlay plus components/queue-autoscaling, whose HPA scales on inference_queue_depth
/// through prometheus-adapter as well as on CPU.
/// </summary>
public sealed class QueueAutoscalingTests
{
    private static string ComponentFolder => Path.Combine(SharedData.RepositoryRoot, "deploy", "k8s", "components", "queue-autoscaling");

    [Fact]
    public void Hpa_ScalesOnCpuAndOnQueueDepthPerPod()
    {
        var hpa = RenderOrSkip("cpu-queue").Single("HorizontalPodAutoscaler");
        var metrics = hpa["spec"]!["metrics"]!.AsArray();
        var pods = metrics.Single(m => Str(m!["type"]) == "Pods")!["pods"]!;

        Assert.Contains(metrics, m => Str(m!["type"]) == "Resource" && Str(m["resource"]!["name"]) == "cpu");
        Assert.Equal("inference_queue_depth", Str(pods["metric"]!["name"]));
        Assert.Equal("AverageValue", Str(pods["target"]!["type"]));
        Assert.InRange(double.Parse(Str(pods["target"]!["averageValue"])!, System.Globalization.CultureInfo.InvariantCulture), 1, QueueCapacity() - 1);
    }

    [Fact]
    public void Overlay_DiffersFromCpuOnlyInTheHpa()
    {
        var cpu = RenderOrSkip("cpu").Documents.Where(d => Str(d["kind"]) != "HorizontalPodAutoscaler").Select(d => d.ToJsonString());
        var queue = RenderOrSkip("cpu-queue").Documents.Where(d => Str(d["kind"]) != "HorizontalPodAutoscaler").Select(d => d.ToJsonString());

        Assert.Equal(cpu.Order(), queue.Order());
    }

    [Fact]
    public void AdapterRule_ServesTheHpasMetricFromTheServicesGauge()
    {
        var values = YamlFile.Load(Path.Combine(ComponentFolder, "prometheus-adapter-values.yaml"));
        var rule = values["rules"]!["custom"]!.AsArray().Single()!;
        var metric = Str(RenderOrSkip("cpu-queue").Single("HorizontalPodAutoscaler")["spec"]!["metrics"]!.AsArray()
            .Single(m => Str(m!["type"]) == "Pods")!["pods"]!["metric"]!["name"]);

        Assert.Equal(metric, Str(rule["name"]!["as"]));
        Assert.StartsWith($"{metric}{{", Str(rule["seriesQuery"]), StringComparison.Ordinal);
        Assert.Equal("pod", Str(rule["resources"]!["overrides"]!["pod"]!["resource"]));
        // The service's OpenTelemetry gauge inference.queue.depth is exported to Prometheus as inference_queue_depth.
        Assert.Contains("\"inference.queue.depth\"", EngineSources(), StringComparison.Ordinal);
    }

    private static int QueueCapacity() =>
        (int)JsonNode.Parse(File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, "models", "resnet18", "config.json")),
            documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!["queueCapacity"]!;

    private static string EngineSources() => string.Join('\n',
        Directory.EnumerateFiles(Path.Combine(SharedData.RepositoryRoot, "src", "Inference.Engine"), "*.cs", SearchOption.AllDirectories).Select(File.ReadAllText));

    private static RenderedManifests RenderOrSkip(string overlay)
    {
        Assert.SkipWhen(Kustomize.MissingReason is not null, Kustomize.MissingReason ?? string.Empty);
        return Kustomize.Render(overlay);
    }
}
