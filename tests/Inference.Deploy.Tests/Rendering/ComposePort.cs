using System.Globalization;
using System.Text.Json.Nodes;

namespace Inference.Deploy.Tests.Rendering;

/// <summary>One entry of a service's <c>ports</c>: the host side as written (null when unpublished) and the container port.</summary>
internal sealed record ComposePort(string? Published, int Target)
{
    /// <summary>The host port when no variable is set.</summary>
    public int? PublishedDefault => Published is null ? null : int.Parse(ComposeVariables.Resolve(Published), CultureInfo.InvariantCulture);

    /// <summary>Short syntax <c>[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]</c> or the long syntax's mapping.</summary>
    public static ComposePort Parse(JsonNode entry)
    {
        if (entry is JsonObject longSyntax)
        {
            return new(RenderedManifests.Str(longSyntax["published"]), RenderedManifests.Int(longSyntax["target"]));
        }

        var parts = ComposeVariables.SplitOnColons(RenderedManifests.Str(entry)!);
        Assert.True(parts.Count <= 3, $"port '{RenderedManifests.Str(entry)}' is not [HOST_IP:][HOST_PORT:]CONTAINER_PORT");
        var target = int.Parse(ComposeVariables.Resolve(parts[^1]).Split('/')[0], CultureInfo.InvariantCulture);
        return new(parts.Count >= 2 ? parts[^2] : null, target);
    }
}
