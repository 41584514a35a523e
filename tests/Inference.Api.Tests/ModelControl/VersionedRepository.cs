using System.Globalization;
using Inference.Api.Tests.Support;
using Inference.Engine.Models;

namespace Inference.Api.Tests.ModelControl;

/// <summary>
/// A temporary model repository for model-management tests: one model folder with a config.json (a version policy,
/// ResNet-18 demo architecture) and labels, whose numeric version folders hold real model.onnx files copied in as an
/// operator would (the seeded ResNet-18 the service generates into the shared demo-weights cache).
/// </summary>
internal sealed class VersionedRepository : IDisposable
{
    public const string AdminKey = "test-admin-key";

    public VersionedRepository(string model, string versionPolicy = """{ "latest": 1 }""")
    {
        Model = model;
        Root = Directory.CreateTempSubdirectory("inference-versions-").FullName;
        var folder = Directory.CreateDirectory(Path.Combine(Root, model)).FullName;
        File.WriteAllText(Path.Combine(folder, "config.json"), $$"""{ "architecture": "resnet18", "versionPolicy": {{versionPolicy}} }""");
        File.WriteAllLines(Path.Combine(folder, "labels.txt"), Enumerable.Range(0, 1000).Select(i => $"class {i}"));
    }

    public string Root { get; }

    public string Model { get; }

    /// <summary>The service's settings for this repository: only this model, the given control mode and the admin key.</summary>
    public (string Key, string Value)[] Settings(string control, string pollInterval = "00:00:01") =>
    [
        ("Inference:ModelRepository", Root),
        ("Inference:Models:0", Model),
        ("Inference:Models:1", Model),
        ("Inference:ModelControl", control),
        ("Inference:RepositoryPollInterval", pollInterval),
        ("Inference:AdminApiKey", AdminKey),
    ];

    /// <summary>Version <paramref name="version"/> as a demo-weights folder (config.json only): no model bytes to copy.</summary>
    public void AddDemoVersion(int version) =>
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(VersionFolder(version)).FullName, "config.json"), """{ "architecture": "resnet18" }""");

    /// <summary>Copies a real model.onnx (the seeded ResNet-18 of the demo cache) into version <paramref name="version"/>.</summary>
    public void CopyVersion(int version)
    {
        var source = Directory.EnumerateFiles(ServiceFactory.DemoWeightsCache, ModelRepository.ModelFileName, SearchOption.AllDirectories)
            .First(path => Path.GetFileName(Path.GetDirectoryName(path)!).StartsWith("resnet18-seed42", StringComparison.Ordinal));
        var folder = Directory.CreateDirectory(VersionFolder(version)).FullName;
        File.Copy(source, Path.Combine(folder, ModelRepository.ModelFileName));
    }

    /// <summary>Version <paramref name="version"/> with a model.onnx that is not an ONNX model.</summary>
    public void AddCorruptVersion(int version)
    {
        var folder = Directory.CreateDirectory(VersionFolder(version)).FullName;
        File.WriteAllBytes(Path.Combine(folder, ModelRepository.ModelFileName), [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31))]);
    }

    public void RemoveVersion(int version) => Directory.Delete(VersionFolder(version), recursive: true);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
    }

    private string VersionFolder(int version) => Path.Combine(Root, Model, version.ToString(CultureInfo.InvariantCulture));
}
