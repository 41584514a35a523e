using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Inference.Api.Tests.Support;
using Inference.Contracts.Grpc.V1;

namespace Inference.Api.Tests.Grpc.RealService;

/// <summary>
/// 200 distinct images over one EmbedStream call (the engine batches them, wide18 runs up to 8 at a time)
/// against the same images one unary Embed at a time (each a batch of one).
/// </summary>
[Collection(ServiceTests.Name)]
public sealed class EmbedStreamEquivalenceTests(ServiceFixture service) : IDisposable
{
    private const int Images = 200;

    private readonly GrpcChannel _channel = RealServiceGrpc.Channel(service.Factory);

    public void Dispose() => _channel.Dispose();

    [Fact]
    public async Task EmbedStream_200Images_MatchUnaryEmbedOfEachImage()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = new ImageInference.ImageInferenceClient(_channel);
        var images = Enumerable.Range(0, Images).Select(i => ByteString.CopyFrom(TestImages.Jpeg(1000 + i, 160 + (i % 7 * 16), 120 + (i % 5 * 16)))).ToArray();

        using var call = client.EmbedStream(cancellationToken: ct);
        var reading = call.ResponseStream.ReadAllAsync(ct).ToListAsync(ct).AsTask();
        for (var i = 0; i < Images; i++)
        {
            await call.RequestStream.WriteAsync(new EmbedRequest { Id = $"{i}", Model = ServiceFactory.WideModel, Image = images[i] }, ct);
        }

        await call.RequestStream.CompleteAsync();
        var streamed = (await reading).ToDictionary(r => int.Parse(r.Id, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(Images, streamed.Count);
        Assert.All(streamed.Values, r => Assert.Null(r.Error));
        Assert.Contains(streamed.Values, r => r.BatchSize > 1);
        for (var i = 0; i < Images; i++)
        {
            var unary = await client.EmbedAsync(new EmbedRequest { Model = ServiceFactory.WideModel, Image = images[i] }, cancellationToken: ct);
            Assert.Equal(1, unary.BatchSize);
            Assert.Equal(512, streamed[i].Embedding.Count);
            Assert.Equal(unary.Embedding, streamed[i].Embedding);
        }
    }
}
