using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Engine.Runtime;
using Inference.Engine.Tests.Support;
using Inference.TestSupport;
using TestImages = Inference.Engine.Tests.Support.TestImages;

namespace Inference.Engine.Tests.Inference;

public sealed class SharedExportTests(SharedExportsFixture fixture) : IClassFixture<SharedExportsFixture>
{
    [Fact]
    public void LoadAll_TorchExports_DescribeTheirShapes()
    {
        Assert.SkipWhen(SharedData.Root is null, SharedData.MissingReason);
        Assert.Empty(fixture.LoadFailures);

        var dynamic = fixture.Host!.Manager.Find(SharedExportsFixture.DynamicBatch)!;
        var fixedBatch = fixture.Host.Manager.Find(SharedExportsFixture.FixedBatch)!;

        Assert.Equal(ModelState.Ready, dynamic.State);
        Assert.Equal(WeightsSource.Provided, dynamic.Weights);
        Assert.Equal("input", dynamic.InputName);
        Assert.Equal([-1L, 3, 224, 224], dynamic.InputShape);
        Assert.Equal(512, dynamic.EmbeddingDimension);
        Assert.Equal(1000, dynamic.NumClasses);
        Assert.Equal(3, dynamic.MaxBatchSize);

        Assert.Equal(ModelState.Ready, fixedBatch.State);
        Assert.Equal("pixel_values", fixedBatch.InputName);
        Assert.Equal(1, fixedBatch.InputShape[0]);
        Assert.Equal([1L, 3, 224, 224], fixedBatch.InputShape);
        Assert.Equal(2048, fixedBatch.EmbeddingDimension);
        Assert.Equal(1000, fixedBatch.NumClasses);
        Assert.Equal(1, fixedBatch.MaxBatchSize);
        Assert.True(fixture.Host.Manager.AllReady);
    }

    [Theory]
    [InlineData(SharedExportsFixture.DynamicBatch, 512)]
    [InlineData(SharedExportsFixture.FixedBatch, 2048)]
    public async Task InferImageAsync_ThreeConcurrentOnZeroWeights_AllOutputsZero(string model, int embeddingWidth)
    {
        Assert.SkipWhen(SharedData.Root is null, SharedData.MissingReason);
        var ct = TestContext.Current.CancellationToken;
        var engine = fixture.Host!.Engine;

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(seed => Task.Run(
            () => ResultCopy.Of(engine.InferImageAsync(model, TestImages.Jpeg(seed), InferenceRequestOptions.Default, ct)), ct)))
            .WaitAsync(TimeSpan.FromMinutes(3), ct);

        Assert.All(results, r =>
        {
            Assert.Equal(1000, r.Logits.Length);
            Assert.Equal(embeddingWidth, r.Embedding.Length);
            Assert.All(r.Logits, v => Assert.Equal(0f, v));
            Assert.All(r.Embedding, v => Assert.Equal(0f, v));
        });
        if (model == SharedExportsFixture.FixedBatch)
        {
            Assert.All(results, r => Assert.Equal(1, r.BatchSize));
        }
    }

    [Fact]
    public async Task InferImageAsync_DataFileEmptiedAfterLoad_StillAnswersFromTheLoadedWeights()
    {
        Assert.SkipWhen(SharedData.Root is null, SharedData.MissingReason);
        Assert.SkipUnless(OperatingSystem.IsLinux(), "mappings are read from /proc/self/maps (Linux)");
        var ct = TestContext.Current.CancellationToken;
        Assert.Empty(fixture.LoadFailures);

        // ORT alone keeps pages of a torch export's data file mapped (its small tensors); the engine reads those in.
        // A file still mapped would end this process with SIGBUS once emptied, so the count is checked first.
        Assert.Equal(0, FileMappings.Count(fixture.DataFile(SharedExportsFixture.DynamicBatch)));
        Assert.Equal(0, FileMappings.Count(fixture.DataFile(SharedExportsFixture.FixedBatch)));
        File.WriteAllBytes(fixture.DataFile(SharedExportsFixture.DynamicBatch), []);

        var result = await ResultCopy.Of(fixture.Host!.Engine.InferImageAsync(
            SharedExportsFixture.DynamicBatch, TestImages.Jpeg(5), InferenceRequestOptions.Default, ct)).WaitAsync(TimeSpan.FromMinutes(1), ct);

        Assert.Equal(1000, result.Logits.Length);
        Assert.All(result.Logits, v => Assert.Equal(0f, v));
    }
}
