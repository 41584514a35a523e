using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Inference.Api.Tests.Support;
using Inference.Contracts.Grpc.V1;
using RestClassify = Inference.Contracts.Rest.ClassifyResponse;
using RestEmbed = Inference.Contracts.Rest.EmbedResponse;

namespace Inference.Api.Tests.Grpc.RealService;

/// <summary>Every imageinference.v1 RPC against the real service and engine (demo ResNet-18 weights), in memory.</summary>
[Collection(ServiceTests.Name)]
public sealed class ImageInferenceRealServiceTests(ServiceFixture service) : IDisposable
{
    private readonly GrpcChannel _channel = RealServiceGrpc.Channel(service.Factory);

    private ImageInference.ImageInferenceClient Client => new(_channel);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _channel.Dispose();

    [Fact]
    public async Task Classify_Jpeg_MatchesRestClassifyOfTheSameImage()
    {
        var image = TestImages.Jpeg(101);

        var response = await Client.ClassifyAsync(
            new ClassifyRequest { Id = "c1", Model = ServiceFactory.Model, Image = ByteString.CopyFrom(image), TopK = 5 }, cancellationToken: Ct);
        using var rest = await service.Client.PostToAsync($"/v1/models/{ServiceFactory.Model}/classify", Requests.Image(image));

        Assert.Equal(("c1", ServiceFactory.Model, "1", 1), (response.Id, response.Model, response.ModelVersion, response.BatchSize));
        var expected = (await rest.ReadAsync<RestClassify>()).Predictions;
        Assert.Equal(expected.Select(p => (p.Index, p.Label, p.Probability)), response.Predictions.Select(p => (p.Index, p.Label, p.Probability)));
        Assert.Equal(response.Predictions.OrderByDescending(p => p.Probability), response.Predictions);
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(1, 1)]
    [InlineData(1000, 1000)]
    [InlineData(5000, 1000)]
    public async Task Classify_TopK_ReturnsThatManyMostProbableFirst(int topK, int expected)
    {
        var response = await Client.ClassifyAsync(
            new ClassifyRequest { Model = ServiceFactory.Model, Image = ByteString.CopyFrom(TestImages.Jpeg(102)), TopK = topK }, cancellationToken: Ct);

        Assert.Equal(expected, response.Predictions.Count);
        Assert.Equal(expected, response.Predictions.Select(p => p.Index).Distinct().Count());
        Assert.Equal(response.Predictions.OrderByDescending(p => p.Probability), response.Predictions);
        Assert.All(response.Predictions, p => Assert.Equal($"class {p.Index}", p.Label));
        if (expected == 1000)
        {
            Assert.Equal(1.0, response.Predictions.Sum(p => (double)p.Probability), 3);
        }
    }

    [Fact]
    public async Task Embed_Png_MatchesRestEmbedAndNormalizesToUnitLength()
    {
        var image = TestImages.Png(103);

        var raw = await Client.EmbedAsync(new EmbedRequest { Id = "e1", Model = ServiceFactory.Model, Image = ByteString.CopyFrom(image) }, cancellationToken: Ct);
        var unit = await Client.EmbedAsync(
            new EmbedRequest { Model = ServiceFactory.Model, Image = ByteString.CopyFrom(image), Normalize = true }, cancellationToken: Ct);
        using var rest = await service.Client.PostToAsync($"/v1/models/{ServiceFactory.Model}/embed", Requests.Image(image, "image/png"));

        Assert.Equal(("e1", 512, 512, false), (raw.Id, raw.Dimension, raw.Embedding.Count, raw.Normalized));
        Assert.Equal((await rest.ReadAsync<RestEmbed>()).Embedding, raw.Embedding);
        Assert.True(unit.Normalized);
        Assert.Equal(1.0, Math.Sqrt(unit.Embedding.Sum(v => (double)v * v)), 5);
        var norm = Math.Sqrt(raw.Embedding.Sum(v => (double)v * v));
        Assert.All(raw.Embedding.Zip(unit.Embedding), pair => Assert.Equal(pair.First / norm, pair.Second, 1e-6));
    }

    [Fact]
    public async Task EmbedStream_FewImagesAndOneCorrupt_AnswersEachByIdAndKeepsStreaming()
    {
        using var call = Client.EmbedStream(cancellationToken: Ct);
        for (var i = 0; i < 6; i++)
        {
            var image = i == 3 ? "not an image"u8.ToArray() : TestImages.Jpeg(110 + i);
            await call.RequestStream.WriteAsync(new EmbedRequest { Id = $"s{i}", Model = ServiceFactory.WideModel, Image = ByteString.CopyFrom(image) }, Ct);
        }

        await call.RequestStream.CompleteAsync();
        var responses = await call.ResponseStream.ReadAllAsync(Ct).ToListAsync(Ct);

        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"s{i}"), responses.Select(r => r.Id).Order());
        var failed = Assert.Single(responses, r => r.Error is not null);
        Assert.Equal("s3", failed.Id);
        Assert.Equal((int)StatusCode.InvalidArgument, failed.Error.Code);
        Assert.False(string.IsNullOrWhiteSpace(failed.Error.Message));
        Assert.All(responses.Where(r => r.Error is null), r => Assert.Equal((512, 512, ServiceFactory.WideModel), (r.Dimension, r.Embedding.Count, r.Model)));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task ListModels_Always_DescribesBothServedModels()
    {
        var response = await Client.ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct);

        Assert.Equal([ServiceFactory.Model, ServiceFactory.WideModel], response.Models.Select(m => m.Name));
        Assert.Equal([2, 8], response.Models.Select(m => m.MaxBatchSize));
        Assert.All(response.Models, m =>
        {
            Assert.Equal((ModelState.Ready, "1", "input", "logits"), (m.State, m.Version, m.InputName, m.LogitsOutputName));
            Assert.Equal([-1L, 3, 224, 224], m.InputShape);
            Assert.Equal((1000, 512, "CPU", "demo"), (m.NumClasses, m.EmbeddingDimension, m.ExecutionProvider, m.Weights));
            Assert.Empty(m.Labels);
        });
    }

    [Fact]
    public async Task GetModel_IncludeLabels_ReturnsTheRepositoryLabels()
    {
        var withLabels = await Client.GetModelAsync(new GetModelRequest { Name = ServiceFactory.Model, IncludeLabels = true }, cancellationToken: Ct);
        var without = await Client.GetModelAsync(new GetModelRequest { Name = ServiceFactory.Model }, cancellationToken: Ct);

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"class {i}"), withLabels.Labels);
        Assert.Empty(without.Labels);
        Assert.Equal((ServiceFactory.Model, 2, ModelState.Ready), (without.Name, without.MaxBatchSize, without.State));
    }
}
