using System.Globalization;
using System.Text.Json.Nodes;
using static Inference.Deploy.Tests.Rendering.RenderedManifests;

namespace Inference.Deploy.Tests.Rendering;

/// <summary>The Prometheus service of a compose file and the configuration file its command names, read through its mounts.</summary>
internal sealed class PrometheusConfig(ComposeService prometheus)
{
    /// <summary>Prometheus' own default for <c>--web.listen-address</c>.</summary>
    private const int DefaultListenPort = 9090;

    public ComposeService Service { get; } = prometheus;

    /// <summary>The <c>--config.file</c> of the command (a path inside the container).</summary>
    public string ConfigContainerPath
    {
        get
        {
            var path = Service.CommandOption("--config.file");
            Assert.True(path is not null, $"the {Service.Name} service's command gives no --config.file");
            return path;
        }
    }

    /// <summary>The file on this machine mounted at <see cref="ConfigContainerPath"/>, or null.</summary>
    public string? ConfigHostPath => Service.HostPathOf(ConfigContainerPath);

    public JsonObject Config
    {
        get
        {
            Assert.True(ConfigHostPath is not null && File.Exists(ConfigHostPath), $"no repository file is mounted at {ConfigContainerPath}");
            return YamlFile.Load(ConfigHostPath);
        }
    }

    /// <summary>The port Prometheus listens on in its container (<c>--web.listen-address</c>, else 9090).</summary>
    public int ListenPort => Service.CommandOption("--web.listen-address") is { } address
        ? int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture)
        : DefaultListenPort;

    /// <summary>
    /// The rule_files entries that no bind mount brings into the container from an existing file (relative entries
    /// are taken from the config file's folder, as Prometheus does; a glob must match at least one file).
    /// </summary>
    public IReadOnlyList<string> UnmountedRuleFiles()
    {
        var configFolder = Path.GetDirectoryName(ConfigContainerPath)!;
        var problems = new List<string>();
        foreach (var entry in (Config["rule_files"] as JsonArray ?? []).Select(e => Str(e)!))
        {
            var containerPath = entry.StartsWith('/') ? entry : $"{configFolder}/{entry}";
            var isGlob = containerPath.AsSpan().IndexOfAny('*', '?') >= 0;
            var hostPath = Service.HostPathOf(isGlob ? Path.GetDirectoryName(containerPath)! : containerPath);
            var present = hostPath is not null && (isGlob
                ? Directory.Exists(hostPath) && Directory.EnumerateFiles(hostPath, Path.GetFileName(containerPath)).Any()
                : File.Exists(hostPath));
            if (!present)
            {
                problems.Add(hostPath is null
                    ? $"{entry}: no bind mount of the {Service.Name} service covers {containerPath}"
                    : $"{entry}: mounted from {hostPath}, which holds no such file");
            }
        }

        return problems;
    }
}
