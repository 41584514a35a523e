using Inference.Engine.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Inference.Engine.Tests.Support;

/// <summary>
/// One demo-weights cache for the whole test run, with the seeded resnet18 generated once, so that
/// engines of different test classes do not each generate it.
/// </summary>
internal static class SharedDemoWeights
{
    public const string Architecture = "resnet18";
    public const ulong Seed = 42;

    private static readonly Lazy<(TempDirectory Cache, string ModelPath)> Generated = new(Generate);

    /// <summary>The cache folder to configure as <c>Inference:DemoWeightsCache</c>.</summary>
    public static string CacheDirectory => Generated.Value.Cache.Root;

    /// <summary>The generated resnet18 (seed 42) model.onnx.</summary>
    public static string ResNet18Path => Generated.Value.ModelPath;

    private static (TempDirectory, string) Generate()
    {
        var cache = new TempDirectory("engine-tests-weights-");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cache.Dispose();
        var path = new DemoWeights(cache.Root, NullLogger.Instance).GetOrCreate(Architecture, Seed);
        return (cache, path);
    }
}
