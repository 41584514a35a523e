namespace Inference.Engine.Tests.Support;

/// <summary>
/// One loaded engine shared by the <see cref="EngineCollection"/>: a demo resnet18 (batches of up to 4)
/// and a model whose config.json has a typo, so it fails to load.
/// </summary>
public sealed class EngineFixture : IAsyncLifetime
{
    public const string ModelName = "resnet18";
    public const string BrokenModelName = "broken";
    public const int MaxBatchSize = 4;

    private readonly TempDirectory _repository = new();

    internal TestEngine Host { get; private set; } = null!;

    /// <summary>The names LoadAll reported as failed.</summary>
    internal IReadOnlyList<string> LoadFailures { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        TestRepository.AddDemoModel(_repository, ModelName, extraConfig: $"\"maxBatchSize\": {MaxBatchSize}");
        _repository.Write(Path.Combine(BrokenModelName, "config.json"), "{ \"architecture\": \"resnet18\", \"maxBatchSzie\": 4 }");
        Host = TestEngine.Create(_repository.Root, SharedDemoWeights.CacheDirectory, [ModelName, BrokenModelName]);
        LoadFailures = await Host.LoadAllAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _repository.Dispose();
    }
}
