using Inference.Deploy.Tests.Rendering;
using static Inference.Deploy.Tests.Rendering.RenderedManifests;

namespace Inference.Deploy.Tests.K8s;

/// <summary>What only the gpu overlay adds: one GPU per pod and the taint toleration.</summary>
public sealed class GpuOverlayTests
{
    [Fact]
    public void GpuOverlay_RequestsOneGpuAndToleratesTheGpuTaint()
    {
        Assert.SkipWhen(Kustomize.MissingReason is not null, Kustomize.MissingReason ?? string.Empty);
        var manifests = Kustomize.Render("gpu");
        var resources = manifests.Container["resources"]!;

        Assert.Equal("1", Str(resources["limits"]!["nvidia.com/gpu"]));
        Assert.Contains(manifests.PodSpec["tolerations"]!.AsArray(), t => Str(t!["key"]) == "nvidia.com/gpu" && Str(t["effect"]) == "NoSchedule");
    }

    [Fact]
    public void CpuOverlay_RequestsNoGpu()
    {
        Assert.SkipWhen(Kustomize.MissingReason is not null, Kustomize.MissingReason ?? string.Empty);
        var manifests = Kustomize.Render("cpu");

        Assert.Null(manifests.Container["resources"]!["limits"]!["nvidia.com/gpu"]);
        Assert.Null(manifests.PodSpec["tolerations"]);
    }
}
