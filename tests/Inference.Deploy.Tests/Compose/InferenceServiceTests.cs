using System.Globalization;
using Inference.Deploy.Tests.Rendering;

namespace Inference.Deploy.Tests.Compose;

/// <summary>The compose service built from this repository against the service's own configuration and Dockerfile.</summary>
public sealed class InferenceServiceTests
{
    private static ComposeService Service => ComposeFile.Repository.Inference;

    [Fact]
    public void InferenceService_ContainerPorts_AreTheServiceRestAndGrpcPorts()
    {
        var targets = Service.Ports.Select(p => p.Target).Order().ToList();

        Assert.Equal(new[] { ServiceEndpoints.RestPort, ServiceEndpoints.GrpcPort }.Order(), targets);
        Assert.All(Service.Ports, p => Assert.NotNull(p.Published));
    }

    [Fact]
    public void InferenceService_StopGracePeriod_ExceedsShutdownTimeoutPlusShutdownDelay()
    {
        var grace = Service.Node["stop_grace_period"] is { } raw ? GoDuration.Parse(RenderedManifests.Str(raw)!) : TimeSpan.FromSeconds(10);
        var drain = ServiceConfiguration.Get(Service, "Inference:ShutdownTimeout");
        Assert.True(drain is not null, "Inference:ShutdownTimeout is set nowhere (compose, Dockerfile ENV, appsettings.json)");
        var delay = ServiceConfiguration.Get(Service, "Lifecycle:ShutdownDelay") ?? "00:00:00";
        var shutdown = TimeSpan.Parse(drain, CultureInfo.InvariantCulture) + TimeSpan.Parse(delay, CultureInfo.InvariantCulture);

        Assert.True(grace > shutdown, $"stop_grace_period {grace} is not above ShutdownTimeout {drain} + ShutdownDelay {delay}: docker would SIGKILL a draining service");
    }

    [Fact]
    public void InferenceService_ModelRepositoryMount_HoldsEveryConfiguredModel()
    {
        var repository = ServiceConfiguration.Get(Service, "Inference:ModelRepository");
        Assert.True(repository is not null && repository.StartsWith('/'), $"Inference:ModelRepository in the container is '{repository}', not an absolute path");
        var hostPath = Service.HostPathOf(repository);
        Assert.True(hostPath is not null, $"no bind mount of the {Service.Name} service covers the model repository {repository}");
        var models = Enumerable.Range(0, 100)
            .Select(i => ServiceConfiguration.Get(Service, $"Inference:Models:{i}"))
            .TakeWhile(m => m is not null)
            .ToList();

        Assert.NotEmpty(models);
        Assert.All(models, m => Assert.True(Directory.Exists(Path.Combine(hostPath, m!)), $"{hostPath} has no folder for the model {m}"));
    }

    [Fact]
    public void InferenceService_ReadOnlyRoot_LeavesTheWeightsCacheAndTmpWritable()
    {
        Assert.Equal("true", RenderedManifests.Str(Service.Node["read_only"]));
        var cache = ServiceConfiguration.Get(Service, "Inference:DemoWeightsCache");
        Assert.True(cache is not null, "Inference:DemoWeightsCache is set nowhere (compose, Dockerfile ENV, appsettings.json)");

        foreach (var path in new[] { cache, "/tmp" })
        {
            var mount = Service.Mounts.SingleOrDefault(m => m.Target == path);
            Assert.True(mount is not null && !mount.ReadOnly, $"{path} is not a writable mount on the read-only root of the {Service.Name} service");
        }
    }
}
