using System.Text.Json.Nodes;
using YamlDotNet.Serialization;

namespace Inference.Deploy.Tests.Rendering;

/// <summary>One YAML document as a JSON tree (every scalar a string), so the tests read it like the rendered manifests.</summary>
internal static class YamlFile
{
    public static JsonObject Load(string path)
    {
        Assert.True(File.Exists(path), $"{path} does not exist");
        return Parse(File.ReadAllText(path), path);
    }

    public static JsonObject Parse(string yaml, string origin)
    {
        var document = ToJson(new DeserializerBuilder().Build().Deserialize<object?>(yaml));
        Assert.True(document is JsonObject, $"{origin} is not a YAML mapping");
        return (JsonObject)document;
    }

    private static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        IDictionary<object, object?> map => new JsonObject(map.Select(p => KeyValuePair.Create(p.Key.ToString()!, ToJson(p.Value)))),
        IEnumerable<object?> list => new JsonArray([.. list.Select(ToJson)]),
        _ => JsonValue.Create(value.ToString()),
    };
}
