using System.Globalization;
using Inference.TestSupport;

namespace Inference.Deploy.Tests.Rendering;

/// <summary>docker-compose.scale.yml and what it runs: the replicas (services built from this repository), HAProxy and Prometheus.</summary>
internal static class FleetFiles
{
    private static readonly Lazy<ComposeFile> LazyCompose = new(() =>
        new ComposeFile(File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, "docker-compose.scale.yml")), SharedData.RepositoryRoot));

    public static ComposeFile Compose => LazyCompose.Value;

    /// <summary>The services built from this repository: the replicas.</summary>
    public static IReadOnlyList<ComposeService> Replicas =>
        [.. Compose.Services.Where(s => s.Node["build"] is not null && s.ImageName == "image-inference")];

    public static ComposeService Haproxy => Compose.Services.Single(s => s.ImageName == "haproxy");

    public static ComposeService Prometheus => Compose.Services.Single(s => s.ImageName == "prometheus");

    /// <summary>A TimeSpan setting of a replica (<c>Lifecycle:ShutdownDelay</c>, ...) as it runs in compose; zero when unset.</summary>
    public static TimeSpan ReplicaSetting(ComposeService replica, string key) =>
        ServiceConfiguration.Get(replica, key) is { } value ? TimeSpan.Parse(value, CultureInfo.InvariantCulture) : TimeSpan.Zero;

    /// <summary>
    /// How long HAProxy may still route to a replica whose readiness turned 503: <c>fall</c> failed checks
    /// <c>inter</c> apart, the last one taking up to <c>timeout check</c>.
    /// </summary>
    public static TimeSpan HaproxyTimeToLeavePool(HaproxyConfig config)
    {
        var server = config.Defaults.Directive("default-server");
        Assert.True(server is not null, "haproxy.cfg's defaults have no default-server line");
        var inter = HaproxyConfig.Duration(HaproxyConfig.Section.OptionValue(server, "inter") ?? "2s");
        var fall = int.Parse(HaproxyConfig.Section.OptionValue(server, "fall") ?? "3", CultureInfo.InvariantCulture);
        var check = config.Defaults.Directive("timeout check") is [var value] ? HaproxyConfig.Duration(value) : inter;
        return (inter * fall) + check;
    }
}
