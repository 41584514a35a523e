using System.Reflection;
using Inference.Engine.Tests.Support;
using Inference.TestSupport;

namespace Inference.Engine.Tests.Wild;

/// <summary>
/// ML.NET's ImageNet-pretrained ResNet-18 featurizer (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18, downloaded
/// by this project's PackageDownload) served through one engine, from a temporary repository laid out as
/// models/resnet18-featurizer/ is after its fetch: the repository's own config.json, the package's ResNet18.onnx
/// as model.onnx, and ResNetPreprocess.onnx beside it.
/// </summary>
public sealed class ResNet18FeaturizerFixture : IAsyncLifetime
{
    public const string Name = "resnet18-featurizer";

    private readonly TempDirectory _repository = new("wild-tests-");

    /// <summary>The package's tools/DnnImageModels folder.</summary>
    public static string PackageModels { get; } = typeof(ResNet18FeaturizerFixture).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "ResNet18FeaturizerModels").Value!;

    public static string ModelPath => Path.Combine(PackageModels, "ResNet18Onnx", "ResNet18.onnx");

    public static string PreprocessPath => Path.Combine(PackageModels, "ResNetPrepOnnx", "ResNetPreprocess.onnx");

    internal TestEngine Host { get; private set; } = null!;

    internal IReadOnlyList<string> LoadFailures { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        var folder = Directory.CreateDirectory(_repository.PathOf(Name)).FullName;
        File.Copy(Path.Combine(SharedData.RepositoryRoot, "models", Name, "config.json"), Path.Combine(folder, "config.json"));
        File.Copy(ModelPath, Path.Combine(folder, "model.onnx"));
        File.Copy(PreprocessPath, Path.Combine(folder, "ResNetPreprocess.onnx"));
        Host = TestEngine.Create(_repository.Root, SharedDemoWeights.CacheDirectory, [Name]);
        LoadFailures = await Host.LoadAllAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _repository.Dispose();
    }
}
