using Inference.Deploy.Tests.Rendering;

namespace Inference.Deploy.Tests.Compose;

/// <summary>What every service of docker-compose.yml keeps: bind mounts of files that exist, and overridable images and host ports.</summary>
public sealed class ComposeFileTests
{
    private static ComposeFile Compose => ComposeFile.Repository;

    [Fact]
    public void BindMounts_RelativeSources_ExistInRepository()
    {
        var binds = Compose.Services.SelectMany(s => s.Mounts.Where(m => m.IsBind).Select(m => (Service: s.Name, Mount: m))).ToList();

        Assert.NotEmpty(binds);
        Assert.All(binds, b =>
        {
            Assert.StartsWith(".", b.Mount.Source, StringComparison.Ordinal);
            var hostPath = b.Mount.HostPath(Compose.Folder);
            Assert.True(File.Exists(hostPath) || Directory.Exists(hostPath), $"{b.Service}: {b.Mount.Source} (mounted at {b.Mount.Target}) does not exist");
        });
    }

    [Fact]
    public void Images_Each_HaveEnvironmentOverrideWithDefault()
    {
        Assert.All(Compose.Services, s =>
        {
            Assert.True(s.Image is not null, $"{s.Name} names no image");
            Assert.True(ComposeVariables.Override(s.Image) is not null, $"{s.Name}: image '{s.Image}' is not ${{VAR:-default}}");
        });
    }

    [Fact]
    public void HostPorts_Each_HaveEnvironmentOverrideWithNumericDefault()
    {
        var ports = Compose.Services.SelectMany(s => s.Ports.Select(p => (Service: s.Name, Port: p))).ToList();

        Assert.NotEmpty(ports);
        Assert.All(ports, p =>
        {
            Assert.True(p.Port.Published is not null && ComposeVariables.Override(p.Port.Published) is not null,
                $"{p.Service}: host port '{p.Port.Published}' of container port {p.Port.Target} is not ${{VAR:-default}}");
            Assert.InRange(p.Port.PublishedDefault!.Value, 1, 65535);
        });
    }

    [Fact]
    public void Overrides_VariablesAndDefaultHostPorts_AreDistinct()
    {
        var images = Compose.Services.Select(s => ComposeVariables.Override(s.Image ?? string.Empty)?.Variable);
        var ports = Compose.Services.SelectMany(s => s.Ports).ToList();
        var portVariables = ports.Select(p => ComposeVariables.Override(p.Published ?? string.Empty)?.Variable);
        var variables = images.Concat(portVariables).OfType<string>().ToList();
        var defaults = ports.Select(p => p.PublishedDefault).ToList();

        Assert.Equal(variables.Distinct().Count(), variables.Count);
        Assert.Equal(defaults.Distinct().Count(), defaults.Count);
    }
}
