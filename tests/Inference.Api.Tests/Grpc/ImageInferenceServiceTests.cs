using System.Numerics.Tensors;
using Google.Protobuf;
using Grpc.Core;
using Inference.Api.Tests.Grpc.TestHost;
using Inference.Contracts.Grpc.V1;
using Inference.Engine.Postprocessing;
using Inference.Preprocessing;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Api.Tests.Grpc;

public sealed class ImageInferenceServiceTests : IAsyncLifetime
{
    private InferenceTestHost _host = null!;
    private ImageInference.ImageInferenceClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await InferenceTestHost.StartAsync();
        _client = new ImageInference.ImageInferenceClient(_host.Channel);
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Classify_ValidImage_ReturnsEngineTopKWithLabelsAndId()
    {
        var image = TestImages.Png(1);
        var response = await _client.ClassifyAsync(
            new ClassifyRequest { Model = FakeModels.Main, Image = ByteString.CopyFrom(image), TopK = 3, Id = "req-1" },
            cancellationToken: TestContext.Current.CancellationToken);

        var expected = Classification.TopK(ExpectedOutputs(image).Logits, 3, FakeModels.Ready());
        Assert.Equal("req-1", response.Id);
        Assert.Equal(FakeModels.Main, response.Model);
        Assert.Equal("1", response.ModelVersion);
        Assert.Equal(expected.Select(p => (p.Index, p.Label, p.Probability)), response.Predictions.Select(p => (p.Index, p.Label, p.Probability)));
        Assert.True(response.Predictions[0].Probability >= response.Predictions[1].Probability);
    }

    [Fact]
    public async Task Classify_TopKZero_ReturnsFive()
    {
        var response = await _client.ClassifyAsync(
            new ClassifyRequest { Model = FakeModels.Main, Image = ByteString.CopyFrom(TestImages.Png(2)) },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(5, response.Predictions.Count);
    }

    [Fact]
    public async Task Embed_Raw_ReturnsEngineVectorAndDimension()
    {
        var image = TestImages.Png(3);
        var response = await _client.EmbedAsync(
            new EmbedRequest { Model = FakeModels.Main, Image = ByteString.CopyFrom(image), Id = "e" },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(FakeModels.EmbeddingDimension, response.Dimension);
        Assert.Equal(ExpectedOutputs(image).Embedding, response.Embedding.ToArray());
        Assert.False(response.Normalized);
        Assert.Equal("e", response.Id);
    }

    [Fact]
    public async Task Embed_Normalize_ReturnsUnitVectorInSameDirection()
    {
        var image = TestImages.Png(4);
        var response = await _client.EmbedAsync(
            new EmbedRequest { Model = FakeModels.Main, Image = ByteString.CopyFrom(image), Normalize = true },
            cancellationToken: TestContext.Current.CancellationToken);

        var expected = ExpectedOutputs(image).Embedding;
        Classification.L2Normalize(expected);
        Assert.True(response.Normalized);
        Assert.Equal(1f, TensorPrimitives.Norm(response.Embedding.ToArray()), 1e-5f);
        Assert.Equal(expected, response.Embedding.ToArray());
    }

    [Fact]
    public async Task ListModels_Always_ReturnsEveryCatalogModelWithState()
    {
        var response = await _client.ListModelsAsync(new ListModelsRequest(), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal([FakeModels.Main, FakeModels.Loading, FakeModels.NoEmbedding], response.Models.Select(m => m.Name));
        var main = response.Models[0];
        Assert.Equal(Contracts.Grpc.V1.ModelState.Ready, main.State);
        Assert.Equal([-1L, 3, 224, 224], main.InputShape);
        Assert.Equal(FakeModels.EmbeddingDimension, main.EmbeddingDimension);
        Assert.Empty(main.Labels);
        Assert.Equal(Contracts.Grpc.V1.ModelState.Loading, response.Models[1].State);
        Assert.Equal(0, response.Models[2].EmbeddingDimension);
    }

    [Fact]
    public async Task GetModel_IncludeLabels_ReturnsLabels()
    {
        var model = await _client.GetModelAsync(
            new GetModelRequest { Name = FakeModels.Main, IncludeLabels = true }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(FakeModels.Classes, model.Labels.Count);
        Assert.Equal("class-3", model.Labels[3]);
        Assert.Equal(8, model.MaxBatchSize);
    }

    [Fact]
    public async Task GetModel_Unknown_IsNotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _client.GetModelAsync(new GetModelRequest { Name = "nope" }, cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("nope", error.Status.Detail, StringComparison.Ordinal);
    }

    private (float[] Logits, float[] Embedding) ExpectedOutputs(byte[] image)
    {
        var chw = new float[PreprocessingSpec.ImageNet.TensorLength];
        _host.Services.GetRequiredService<IImagePreprocessor>().Preprocess(image, PreprocessingSpec.ImageNet, chw);
        return FakeInferenceEngine.Compute(chw);
    }
}
