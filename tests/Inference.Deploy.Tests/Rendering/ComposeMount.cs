using System.Text.Json.Nodes;
using static Inference.Deploy.Tests.Rendering.RenderedManifests;

namespace Inference.Deploy.Tests.Rendering;

/// <summary>One entry of a service's <c>volumes</c> (or <c>tmpfs</c>): a bind mount, a named or anonymous volume, or a tmpfs.</summary>
internal sealed record ComposeMount(string Type, string? Source, string Target, bool ReadOnly)
{
    public bool IsBind => Type == "bind";

    /// <summary>Where a bind mount's source is on this machine, relative paths taken from the compose file's folder.</summary>
    public string HostPath(string composeDirectory) =>
        IsBind ? Path.GetFullPath(Path.Combine(composeDirectory, Source!)) : throw new InvalidOperationException($"{Target} is a {Type}, not a bind mount");

    /// <summary>Short syntax <c>SOURCE:TARGET[:MODE]</c> or <c>TARGET</c>, or the long syntax's mapping.</summary>
    public static ComposeMount Parse(JsonNode entry)
    {
        if (entry is JsonObject longSyntax)
        {
            var source = Str(longSyntax["source"]) is { } raw ? ComposeVariables.Resolve(raw) : null;
            return new(Str(longSyntax["type"]) ?? "volume", source, Str(longSyntax["target"])!, Str(longSyntax["read_only"]) == "true");
        }

        var parts = ComposeVariables.SplitOnColons(Str(entry)!).Select(ComposeVariables.Resolve).ToList();
        if (parts.Count == 1)
        {
            return new("volume", null, parts[0], false);
        }

        var isBind = parts[0].StartsWith('.') || parts[0].StartsWith('/') || parts[0].StartsWith('~');
        var readOnly = parts.Count > 2 && parts[2].Split(',').Contains("ro");
        return new(isBind ? "bind" : "volume", parts[0], parts[1], readOnly);
    }

    public static ComposeMount Tmpfs(string target) => new("tmpfs", null, target.Split(':')[0], false);
}
