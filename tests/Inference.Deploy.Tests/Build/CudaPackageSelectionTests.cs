using System.Text.Json.Nodes;
using Inference.Deploy.Tests.Rendering;
using static Inference.Deploy.Tests.Rendering.RenderedManifests;

namespace Inference.Deploy.Tests.Build;

/// <summary>
/// <c>-p:UseCuda=true</c> (the Dockerfile's cuda stage) swaps the CPU ONNX Runtime package for the GPU one, checked by
/// MSBuild evaluation in seconds, without a restore; <see cref="CudaPublishTests"/> runs the GPU publish itself.
/// </summary>
public sealed class CudaPackageSelectionTests
{
    private const string Engine = "src/Inference.Engine/Inference.Engine.csproj";
    private const string Api = "src/Inference.Api/Inference.Api.csproj";
    private const string CpuPackage = "Microsoft.ML.OnnxRuntime";
    private const string GpuPackage = "Microsoft.ML.OnnxRuntime.Gpu";

    private static readonly Lazy<JsonObject> EngineCuda = new(() => MsBuildEvaluation.Items(Engine, useCuda: true, "PackageReference", "PackageVersion"));
    private static readonly Lazy<JsonObject> EngineDefault = new(() => MsBuildEvaluation.Items(Engine, useCuda: false, "PackageReference", "PackageVersion"));
    private static readonly Lazy<JsonObject> ApiGraphCuda = new(() => MsBuildEvaluation.RestoreGraph(Api, useCuda: true));
    private static readonly Lazy<JsonObject> ApiGraphDefault = new(() => MsBuildEvaluation.RestoreGraph(Api, useCuda: false));

    [Fact]
    public void Engine_WithUseCuda_ReferencesGpuPackageNotCpuPackage()
    {
        var references = PackageReferences(EngineCuda.Value);

        Assert.Contains(GpuPackage, references);
        Assert.DoesNotContain(CpuPackage, references);
    }

    [Fact]
    public void Engine_WithoutUseCuda_ReferencesCpuPackageNotGpuPackage()
    {
        var references = PackageReferences(EngineDefault.Value);

        Assert.Contains(CpuPackage, references);
        Assert.DoesNotContain(GpuPackage, references);
    }

    [Fact]
    public void CentralVersions_CpuAndGpuPackages_AreEqualAndNotOverridden()
    {
        var versions = Items(EngineCuda.Value, "PackageVersion").ToDictionary(i => Str(i["Identity"])!, i => Str(i["Version"]));
        var onnxReferences = Items(EngineCuda.Value, "PackageReference").Concat(Items(EngineDefault.Value, "PackageReference"))
            .Where(i => Str(i["Identity"]) is CpuPackage or GpuPackage)
            .ToList();

        Assert.True(versions.ContainsKey(CpuPackage) && versions.ContainsKey(GpuPackage), "Directory.Packages.props must version both ONNX Runtime packages");
        Assert.Equal(versions[CpuPackage], versions[GpuPackage]);
        Assert.Equal(2, onnxReferences.Count);
        Assert.All(onnxReferences, r => Assert.True(r["Version"] is null && r["VersionOverride"] is null, $"{Str(r["Identity"])} overrides the central version"));
    }

    [Fact]
    public void Api_WithUseCuda_RestoreGraphReachesGpuPackageOnly()
    {
        var packages = GraphPackages(ApiGraphCuda.Value);

        Assert.Contains(packages, p => p.Package == GpuPackage && p.Project.EndsWith("Inference.Engine.csproj", StringComparison.Ordinal));
        Assert.DoesNotContain(packages, p => p.Package == CpuPackage);
    }

    [Fact]
    public void Api_WithoutUseCuda_RestoreGraphReachesCpuPackageOnly()
    {
        var packages = GraphPackages(ApiGraphDefault.Value);

        Assert.Contains(packages, p => p.Package == CpuPackage && p.Project.EndsWith("Inference.Engine.csproj", StringComparison.Ordinal));
        Assert.DoesNotContain(packages, p => p.Package == GpuPackage);
    }

    private static IEnumerable<JsonObject> Items(JsonObject evaluation, string type) =>
        (evaluation[type] as JsonArray ?? []).Select(i => i!.AsObject());

    private static List<string> PackageReferences(JsonObject evaluation) =>
        [.. Items(evaluation, "PackageReference").Select(i => Str(i["Identity"])!)];

    /// <summary>
    /// Every (project, package) of the restore graph, keeping only the projects the Api reaches through its project
    /// references (each evaluated with the Api's global properties, UseCuda among them): what a restore of the Api resolves.
    /// </summary>
    private static List<(string Project, string Package)> GraphPackages(JsonObject graph)
    {
        var projects = graph["projects"]!.AsObject();
        var root = Assert.Single(projects, p => p.Key.EndsWith(Path.GetFileName(Api), StringComparison.Ordinal)).Key;
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([root]);
        while (pending.TryPop(out var project))
        {
            if (reached.Add(project))
            {
                foreach (var framework in projects[project]?["restore"]?["frameworks"]?.AsObject() ?? [])
                {
                    foreach (var reference in framework.Value?["projectReferences"]?.AsObject() ?? [])
                    {
                        pending.Push(reference.Key);
                    }
                }
            }
        }

        Assert.Contains(reached, p => p.EndsWith("Inference.Engine.csproj", StringComparison.Ordinal));
        return [.. reached.SelectMany(project => (projects[project]?["frameworks"]?.AsObject() ?? [])
            .SelectMany(f => f.Value?["dependencies"]?.AsObject() ?? [])
            .Select(d => (project, d.Key)))];
    }
}
