using Inference.Container.Tests.Infrastructure;
#if HAS_GRPC_CONTRACT
using Google.Protobuf;
using Grpc.Net.Client;
using Inference.Contracts.Grpc.V1;
#endif

namespace Inference.Container.Tests.Api;

/// <summary>The gRPC API (imageinference.v1.ImageInference) through the container's mapped HTTP/2 port.</summary>
[Trait("Category", "Container")]
[Collection(RunningServiceCollection.Name)]
public sealed class GrpcApiTests(RunningServiceFixture fixture)
{
    private const string NoContract =
        "The gRPC contract (src/Inference.Contracts/Protos/imageinference/v1/image_inference.proto) is not in this tree yet.";

    [Fact]
    public async Task Classify_OverGrpc_ReturnsDescendingProbabilities()
    {
#if HAS_GRPC_CONTRACT
        fixture.Image.SkipWithoutService();
        using var channel = GrpcChannel.ForAddress(fixture.Service.GrpcAddress);
        var client = new ImageInference.ImageInferenceClient(channel);

        var response = await client.ClassifyAsync(
            new ClassifyRequest { Model = "resnet18", Image = ByteString.CopyFrom(TestImages.Jpeg()), TopK = 5 },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("resnet18", response.Model);
        Assert.Equal(5, response.Predictions.Count);
        var probabilities = response.Predictions.Select(p => p.Probability).ToList();
        Assert.All(probabilities, p => Assert.InRange(p, 0f, 1f));
        Assert.Equal(probabilities.OrderDescending(), probabilities);
#else
        await Task.CompletedTask;
        Assert.Skip(NoContract + " " + fixture.Image.ServiceMissingReason);
#endif
    }

    [Fact]
    public async Task Embed_OverGrpc_ReturnsVectorOfItsDimension()
    {
#if HAS_GRPC_CONTRACT
        fixture.Image.SkipWithoutService();
        using var channel = GrpcChannel.ForAddress(fixture.Service.GrpcAddress);
        var client = new ImageInference.ImageInferenceClient(channel);

        var response = await client.EmbedAsync(
            new EmbedRequest { Model = "resnet18", Image = ByteString.CopyFrom(TestImages.Jpeg(seed: 2)) },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(512, response.Dimension);
        Assert.Equal(response.Dimension, response.Embedding.Count);
        Assert.All(response.Embedding, value => Assert.True(float.IsFinite(value)));
#else
        await Task.CompletedTask;
        Assert.Skip(NoContract + " " + fixture.Image.ServiceMissingReason);
#endif
    }
}
