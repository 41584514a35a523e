using Google.Protobuf;
using Grpc.Core;
using Inference.Api.Tests.Grpc.TestHost;
using Inference.Contracts.Grpc.V1;

namespace Inference.Api.Tests.Grpc;

public sealed class EmbedStreamTests : IAsyncLifetime
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
    public async Task EmbedStream_200Images_MatchUnaryEmbedExactly()
    {
        var ct = TestContext.Current.CancellationToken;
        var images = Enumerable.Range(0, 200).Select(i => ByteString.CopyFrom(TestImages.Png(1000 + i, 24 + (i % 7), 20 + (i % 5)))).ToArray();

        var streamed = await EmbedAllAsync(images.Select((image, i) => new EmbedRequest
        {
            Id = $"img-{i}",
            Model = FakeModels.Main,
            Image = image,
            Normalize = i % 2 == 0,
        }), ct);

        Assert.Equal(200, streamed.Count);
        for (var i = 0; i < images.Length; i++)
        {
            var unary = await _client.EmbedAsync(
                new EmbedRequest { Id = $"img-{i}", Model = FakeModels.Main, Image = images[i], Normalize = i % 2 == 0 }, cancellationToken: ct);
            var item = streamed[$"img-{i}"];
            Assert.Null(item.Error);
            Assert.Equal(unary.Dimension, item.Dimension);
            Assert.Equal(unary.Embedding.ToArray(), item.Embedding.ToArray());
        }
    }

    [Fact]
    public async Task EmbedStream_BadItems_AnswerThoseWithErrorsAndGoOn()
    {
        var requests = new[]
        {
            new EmbedRequest { Id = "good", Model = FakeModels.Main, Image = ByteString.CopyFrom(TestImages.Png(7)) },
            new EmbedRequest { Id = "corrupt", Model = FakeModels.Main, Image = ByteString.CopyFrom(TestImages.Corrupt) },
            new EmbedRequest { Id = "unknown", Model = "nope", Image = ByteString.CopyFrom(TestImages.Png(8)) },
            new EmbedRequest { Id = "good2", Model = FakeModels.Main, Image = ByteString.CopyFrom(TestImages.Png(9)) },
        };

        var responses = await EmbedAllAsync(requests, TestContext.Current.CancellationToken);

        Assert.Equal(FakeModels.EmbeddingDimension, responses["good"].Dimension);
        Assert.Equal(FakeModels.EmbeddingDimension, responses["good2"].Dimension);
        Assert.Equal((int)StatusCode.InvalidArgument, responses["corrupt"].Error.Code);
        Assert.Contains("decoded", responses["corrupt"].Error.Message, StringComparison.Ordinal);
        Assert.Equal((int)StatusCode.NotFound, responses["unknown"].Error.Code);
        Assert.Empty(responses["unknown"].Embedding);
    }

    [Fact]
    public async Task EmbedStream_EngineStalled_ReadsNoMoreThanTheWindow()
    {
        var ct = TestContext.Current.CancellationToken;
        _host.Engine.CloseGate();
        using var call = _client.EmbedStream(cancellationToken: ct);
        var image = ByteString.CopyFrom(TestImages.Png(11));
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                await call.RequestStream.WriteAsync(new EmbedRequest { Id = $"{i}", Model = FakeModels.Main, Image = image }, ct);
            }

            await call.RequestStream.CompleteAsync();
        }, ct);

        // The default window is 2 x MaxBatchSize (8) = 16 requests in flight.
        while (_host.Engine.Queued < 16)
        {
            await Task.Delay(10, ct);
        }

        await Task.Delay(300, ct);
        Assert.Equal(16, _host.Engine.Started);
        Assert.False(writer.IsCompleted);

        var reader = Task.Run(async () =>
        {
            var count = 0;
            await foreach (var response in call.ResponseStream.ReadAllAsync(ct))
            {
                Assert.Equal(FakeModels.EmbeddingDimension, response.Dimension);
                count++;
            }

            return count;
        }, ct);
        _host.Engine.OpenGate();
        await writer;
        var count = await reader;
        Assert.Equal(100, count);
        Assert.Equal(100, _host.Engine.Started);
    }

    private async Task<Dictionary<string, EmbedResponse>> EmbedAllAsync(IEnumerable<EmbedRequest> requests, CancellationToken ct)
    {
        using var call = _client.EmbedStream(cancellationToken: ct);
        var reader = Task.Run(async () =>
        {
            var responses = new Dictionary<string, EmbedResponse>();
            await foreach (var response in call.ResponseStream.ReadAllAsync(ct))
            {
                responses.Add(response.Id, response);
            }

            return responses;
        }, ct);
        foreach (var request in requests)
        {
            await call.RequestStream.WriteAsync(request, ct);
        }

        await call.RequestStream.CompleteAsync();
        return await reader;
    }
}
