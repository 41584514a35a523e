using System.Globalization;

namespace Inference.Engine.Tests.Support;

/// <summary>Writes model folders into a temporary model repository.</summary>
internal static class TestRepository
{
    /// <summary>
    /// A model folder with no model.onnx: a config.json naming <paramref name="architecture"/> (plus
    /// <paramref name="extraConfig"/>, JSON members without braces) and labels "label-0".."label-999".
    /// </summary>
    public static string AddDemoModel(TempDirectory repository, string name, string architecture = "resnet18", string? extraConfig = null)
    {
        var members = $"\"architecture\": \"{architecture}\"" + (extraConfig is null ? "" : ", " + extraConfig);
        repository.Write(Path.Combine(name, "config.json"), "{ " + members + " }");
        repository.Write(
            Path.Combine(name, "labels.txt"),
            string.Join('\n', Enumerable.Range(0, 1000).Select(i => "label-" + i.ToString(CultureInfo.InvariantCulture))) + "\n");
        return repository.PathOf(name);
    }
}
