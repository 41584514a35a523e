using System.Diagnostics;
using System.Text.Json.Nodes;
using Inference.TestSupport;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Inference.Deploy.Tests.Rendering;

/// <summary>Renders an overlay of deploy/k8s with <c>kubectl kustomize</c> into JSON documents.</summary>
internal static class Kustomize
{
    private static readonly Lazy<string?> LazyMissingReason = new(FindMissingReason);

    /// <summary>Why rendering cannot run here (no kubectl), or null.</summary>
    public static string? MissingReason => LazyMissingReason.Value;

    public static string OverlayPath(string overlay) =>
        Path.Combine(SharedData.RepositoryRoot, "deploy", "k8s", "overlays", overlay);

    public static RenderedManifests Render(string overlay)
    {
        var (exitCode, output, error) = Run("kustomize", OverlayPath(overlay));
        Assert.True(exitCode == 0, $"kubectl kustomize {overlay} failed: {error}");
        var deserializer = new DeserializerBuilder().Build();
        var json = new SerializerBuilder().JsonCompatible().Build();
        var documents = new List<JsonObject>();
        var parser = new Parser(new StringReader(output));
        parser.Consume<StreamStart>();
        while (parser.Accept<DocumentStart>(out _))
        {
            var document = deserializer.Deserialize<object>(parser);
            if (document is not null)
            {
                documents.Add(JsonNode.Parse(json.Serialize(document))!.AsObject());
            }
        }

        return new RenderedManifests(documents);
    }

    private static string? FindMissingReason()
    {
        try
        {
            var (exitCode, _, error) = Run("version", "--client");
            return exitCode == 0 ? null : $"kubectl is present but 'kubectl version --client' failed: {error}";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "kubectl (with kustomize built in) is not installed on this machine; the manifests are not rendered.";
        }
    }

    private static (int ExitCode, string Output, string Error) Run(params string[] arguments)
    {
        var info = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error);
    }
}
