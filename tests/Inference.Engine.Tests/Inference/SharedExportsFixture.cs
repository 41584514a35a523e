using Inference.Engine.Tests.Support;
using Inference.TestSupport;

namespace Inference.Engine.Tests.Inference;

/// <summary>
/// The real torch exports from ../shared/models in a temporary repository, with zero-filled external data
/// (sizes from ../shared/models/README.md), loaded through one engine. Does nothing when ../shared is absent.
/// </summary>
public sealed class SharedExportsFixture : IAsyncLifetime
{
    public const string DynamicBatch = "torch-resnet18-dynamic-batch";
    public const string FixedBatch = "torch-resnet50-batch1";

    private static readonly Dictionary<string, long> DataSizes = new()
    {
        [DynamicBatch] = 46_723_488,
        [FixedBatch] = 102_031_776,
    };

    private readonly TempDirectory _repository = new();

    internal TestEngine? Host { get; private set; }

    internal IReadOnlyList<string> LoadFailures { get; private set; } = [];

    /// <summary>The external data file of the export <paramref name="model"/> in the fixture's repository.</summary>
    internal string DataFile(string model) => _repository.PathOf(model, "model.onnx.data");

    public async ValueTask InitializeAsync()
    {
        if (SharedData.Models is not { } models)
        {
            return;
        }

        foreach (var (name, size) in DataSizes)
        {
            var folder = Directory.CreateDirectory(_repository.PathOf(name)).FullName;
            File.Copy(Path.Combine(models, name, "model.onnx"), Path.Combine(folder, "model.onnx"));
            using (var data = new FileStream(Path.Combine(folder, "model.onnx.data"), FileMode.CreateNew))
            {
                data.SetLength(size);
            }

            File.WriteAllText(Path.Combine(folder, "config.json"), """{ "maxBatchSize": 3, "maxQueueDelayMs": 50 }""");
        }

        Host = TestEngine.Create(_repository.Root, SharedDemoWeights.CacheDirectory, [DynamicBatch, FixedBatch]);
        LoadFailures = await Host.LoadAllAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        _repository.Dispose();
    }
}
