using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Engine.Tests.Support;

namespace Inference.Engine.Tests.Inference;

public sealed class DemoWeightsTests
{
    [Fact]
    public async Task LoadAll_ConfigWithArchitectureOnly_ServesDemoWeightsCachedOnce()
    {
        using var repository = new TempDirectory();
        using var cache = new TempDirectory("engine-tests-cache-");
        TestRepository.AddDemoModel(repository, "demo", extraConfig: "\"maxBatchSize\": 1");
        string cachedModel;

        await using (var first = TestEngine.Create(repository.Root, cache.Root, ["demo"]))
        {
            Assert.Empty(await first.LoadAllAsync());
            var model = first.Manager.Find("demo")!;
            Assert.Equal(ModelState.Ready, model.State);
            Assert.Equal(WeightsSource.Demo, model.Weights);
            Assert.Equal("1", model.Version);
            Assert.Equal(512, model.EmbeddingDimension);

            cachedModel = Assert.Single(Directory.GetFiles(cache.Root, "*", SearchOption.AllDirectories));
            Assert.Equal("model.onnx", Path.GetFileName(cachedModel));
            Assert.False(File.Exists(repository.PathOf("demo", "model.onnx")), "demo weights must not be written into the repository");

            using var result = await first.Engine.InferImageAsync("demo", TestImages.Jpeg(5), InferenceRequestOptions.Default, TestContext.Current.CancellationToken);
            Assert.Equal(1000, result.Logits.Length);
        }

        // Mark the cached file: a regenerated one would carry a fresh timestamp.
        var marker = new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(cachedModel, marker);
        var length = new FileInfo(cachedModel).Length;

        await using (var second = TestEngine.Create(repository.Root, cache.Root, ["demo"]))
        {
            Assert.Empty(await second.LoadAllAsync());
            Assert.Equal(WeightsSource.Demo, second.Manager.Find("demo")!.Weights);
        }

        Assert.Equal(marker, File.GetLastWriteTimeUtc(cachedModel));
        Assert.Equal(length, new FileInfo(cachedModel).Length);
        Assert.Equal([cachedModel], Directory.GetFiles(cache.Root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task LoadAll_ModelFilePresent_ServesProvidedWeights()
    {
        using var repository = new TempDirectory();
        repository.Write("mine/2/config.json", """{ "maxBatchSize": 1 }""");
        File.Copy(SharedDemoWeights.ResNet18Path, repository.PathOf("mine", "2", "model.onnx"));

        await using var engine = TestEngine.Create(repository.Root, SharedDemoWeights.CacheDirectory, ["mine"]);

        Assert.Empty(await engine.LoadAllAsync());
        var model = engine.Manager.Find("mine")!;
        Assert.Equal(WeightsSource.Provided, model.Weights);
        Assert.Equal("2", model.Version);
        Assert.Equal(1, model.MaxBatchSize);
        Assert.True(engine.Manager.AllReady);
    }
}
