using System.Text.Json.Nodes;
using static Inference.Deploy.Tests.Rendering.RenderedManifests;

namespace Inference.Deploy.Tests.Rendering;

/// <summary>One service of a compose file, with its entries in parsed form.</summary>
internal sealed class ComposeService(string name, JsonObject node, string composeDirectory)
{
    public string Name { get; } = name;

    public JsonObject Node { get; } = node;

    /// <summary>The <c>image</c> as written (variables unresolved), or null.</summary>
    public string? Image => Str(Node["image"]);

    /// <summary>The image's repository name without registry, path or tag (<c>prom/prometheus:v3.5.0</c> gives <c>prometheus</c>).</summary>
    public string? ImageName => Image is null ? null : ComposeVariables.Resolve(Image).Split('/')[^1].Split('@')[0].Split(':')[0];

    public IReadOnlyList<ComposePort> Ports => [.. Entries("ports").Select(ComposePort.Parse)];

    public IReadOnlyList<ComposeMount> Mounts =>
        [.. Entries("volumes").Select(ComposeMount.Parse), .. Entries("tmpfs").Select(t => ComposeMount.Tmpfs(Str(t)!))];

    /// <summary>The <c>environment</c> (mapping or <c>KEY=VALUE</c> list), variables resolved to their defaults.</summary>
    public IReadOnlyDictionary<string, string> Environment
    {
        get
        {
            var pairs = Node["environment"] switch
            {
                JsonObject map => map.Select(p => (p.Key, Value: Str(p.Value) ?? string.Empty)),
                JsonArray list => list.Select(e => Str(e)!.Split('=', 2)).Select(kv => (Key: kv[0], Value: kv.Length > 1 ? kv[1] : string.Empty)),
                _ => [],
            };
            return pairs.ToDictionary(p => p.Key, p => ComposeVariables.Resolve(p.Value), StringComparer.OrdinalIgnoreCase);
        }
    }

    /// <summary>The <c>command</c> as arguments (a string is split on whitespace).</summary>
    public IReadOnlyList<string> Command => Node["command"] switch
    {
        JsonArray list => [.. list.Select(a => ComposeVariables.Resolve(Str(a)!))],
        JsonValue text => ComposeVariables.Resolve(Str(text)!).Split(' ', StringSplitOptions.RemoveEmptyEntries),
        _ => [],
    };

    /// <summary>The value of a <c>--flag=value</c> or <c>--flag value</c> command-line option, or null.</summary>
    public string? CommandOption(string flag)
    {
        var command = Command;
        for (var i = 0; i < command.Count; i++)
        {
            if (command[i].StartsWith(flag + "=", StringComparison.Ordinal))
            {
                return command[i][(flag.Length + 1)..];
            }

            if (command[i] == flag && i + 1 < command.Count)
            {
                return command[i + 1];
            }
        }

        return null;
    }

    /// <summary>
    /// The file or folder on this machine that a path inside the container shows, through the bind mount with the
    /// longest target above it; null when no mount covers it or the covering mount is not a bind mount.
    /// </summary>
    public string? HostPathOf(string containerPath)
    {
        var path = containerPath.TrimEnd('/');
        var mount = Mounts
            .Where(m => path == m.Target.TrimEnd('/') || path.StartsWith(m.Target.TrimEnd('/') + "/", StringComparison.Ordinal))
            .MaxBy(m => m.Target.TrimEnd('/').Length);
        if (mount is null || !mount.IsBind)
        {
            return null;
        }

        var rest = path[mount.Target.TrimEnd('/').Length..].TrimStart('/');
        return rest.Length == 0 ? mount.HostPath(composeDirectory) : Path.Combine(mount.HostPath(composeDirectory), rest);
    }

    private IEnumerable<JsonNode> Entries(string key) => Node[key] switch
    {
        JsonArray list => list.Select(e => e!),
        JsonValue single => [single],
        _ => [],
    };
}
