using Inference.Engine.Runtime;
using Inference.Engine.Tests.Support;

namespace Inference.Engine.Tests.Inference;

/// <summary>
/// An engine whose model batches 2, queues 3 and waits up to 10 s for a full batch, so that with the compute
/// gate held its slots (3 + 2) fill in a known order.
/// </summary>
public sealed class BackpressureFixture : IAsyncLifetime
{
    public const string ModelName = "small-queue";
    public const int SlotCount = 5;

    private readonly TempDirectory _repository = new();

    internal TestEngine Host { get; private set; } = null!;

    internal LoadedModel Serving => Host.Manager.GetServing(ModelName);

    public async ValueTask InitializeAsync()
    {
        TestRepository.AddDemoModel(_repository, ModelName, extraConfig: "\"maxBatchSize\": 2, \"queueCapacity\": 3, \"maxQueueDelayMs\": 10000");
        Host = TestEngine.Create(
            _repository.Root, SharedDemoWeights.CacheDirectory, [ModelName], new Dictionary<string, string?> { ["Inference:RequestTimeout"] = "00:02:00" });
        Assert.Empty(await Host.LoadAllAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _repository.Dispose();
    }
}
