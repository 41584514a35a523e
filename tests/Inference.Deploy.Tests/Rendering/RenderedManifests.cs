using System.Globalization;
using System.Text.Json.Nodes;

namespace Inference.Deploy.Tests.Rendering;

/// <summary>The objects one overlay renders to, with lookups for the ones the tests inspect.</summary>
internal sealed class RenderedManifests(IReadOnlyList<JsonObject> documents)
{
    public IReadOnlyList<JsonObject> Documents { get; } = documents;

    public JsonObject Single(string kind, string? name = null)
    {
        var matches = Documents.Where(d => Str(d["kind"]) == kind && (name is null || Str(d["metadata"]?["name"]) == name)).ToList();
        Assert.True(matches.Count == 1, $"expected one {kind} {name}, found {matches.Count}");
        return matches[0];
    }

    public JsonObject Deployment => Single("Deployment", "image-inference");

    public JsonObject PodSpec => Deployment["spec"]!["template"]!["spec"]!.AsObject();

    public JsonObject Container => PodSpec["containers"]!.AsArray().Single()!.AsObject();

    /// <summary>The container port a probe or Service names (by port name or number).</summary>
    public int ContainerPort(JsonNode? port)
    {
        var value = Str(port);
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        var named = Container["ports"]!.AsArray().SingleOrDefault(p => Str(p!["name"]) == value);
        Assert.True(named is not null, $"no container port is named {value}");
        return Int(named!["containerPort"]);
    }

    public static string? Str(JsonNode? node) => node is JsonValue value ? value.ToString() : node?.ToJsonString();

    public static int Int(JsonNode? node) => int.Parse(Str(node)!, CultureInfo.InvariantCulture);
}
