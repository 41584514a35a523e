using Google.Protobuf;
using Grpc.Core;
using Inference.Api.Tests.Grpc.TestHost;
using Inference.Contracts.Grpc.V1;
using Inference.Contracts.OpenInference;

namespace Inference.Api.Tests.Grpc;

/// <summary>The same APIs over a real socket: Kestrel on an HTTP/2-only cleartext endpoint, as configured in production.</summary>
public sealed class KestrelHttp2Tests : IAsyncLifetime
{
    private InferenceTestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await InferenceTestHost.StartAsync(kestrel: true);

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task UnaryAndStreamingCalls_OverRealHttp2_Succeed()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = new ImageInference.ImageInferenceClient(_host.Channel);
        var image = ByteString.CopyFrom(TestImages.Png(5));

        var classified = await client.ClassifyAsync(new ClassifyRequest { Model = FakeModels.Main, Image = image, TopK = 2 }, cancellationToken: ct);
        var unary = await client.EmbedAsync(new EmbedRequest { Model = FakeModels.Main, Image = image }, cancellationToken: ct);
        using var call = client.EmbedStream(cancellationToken: ct);
        for (var i = 0; i < 20; i++)
        {
            await call.RequestStream.WriteAsync(new EmbedRequest { Id = $"{i}", Model = FakeModels.Main, Image = image }, ct);
        }

        await call.RequestStream.CompleteAsync();
        var streamed = await call.ResponseStream.ReadAllAsync(ct).ToListAsync(ct);

        Assert.Equal(2, classified.Predictions.Count);
        Assert.Equal(20, streamed.Count);
        Assert.All(streamed, r => Assert.Equal(unary.Embedding, r.Embedding));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"{i}").Order(), streamed.Select(r => r.Id).Order());
    }

    [Fact]
    public async Task OpenInferenceModelInfer_OverRealHttp2_ReturnsLogits()
    {
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(_host.Channel);
        var request = new ModelInferRequest { ModelName = FakeModels.Main };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "BYTES", Shape = { 1 } };
        input.Contents = new InferTensorContents { BytesContents = { ByteString.CopyFrom(TestImages.Png(6)) } };
        request.Inputs.Add(input);

        var response = await client.ModelInferAsync(request, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("logits", response.Outputs.Single().Name);
        Assert.Equal([1L, FakeModels.Classes], response.Outputs[0].Shape);
        Assert.Equal(FakeModels.Classes * sizeof(float), response.RawOutputContents[0].Length);
    }

    [Fact]
    public async Task Classify_CorruptImage_OverRealHttp2_IsInvalidArgument()
    {
        var client = new ImageInference.ImageInferenceClient(_host.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ClassifyAsync(
            new ClassifyRequest { Model = FakeModels.Main, Image = ByteString.CopyFrom(TestImages.Corrupt) },
            cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }
}
