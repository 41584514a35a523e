using Google.Protobuf;
using Grpc.Core;
using Inference.Api.Tests.Grpc.TestHost;
using Inference.Contracts.Grpc.V1;

namespace Inference.Api.Tests.Grpc;

/// <summary>The ImageInference requests' <c>model_version</c>: empty runs the highest ready version, else that one or NOT_FOUND.</summary>
public sealed class ImageInferenceVersionTests : IAsyncLifetime
{
    private InferenceTestHost _host = null!;
    private ImageInference.ImageInferenceClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _host = await InferenceTestHost.StartAsync();
        _client = new ImageInference.ImageInferenceClient(_host.Channel);
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    public async Task ClassifyAndEmbed_ServedOrNoVersion_AnswerWithTheVersionThatRan(string version)
    {
        var image = ByteString.CopyFrom(TestImages.Png(1));

        var classified = await _client.ClassifyAsync(new ClassifyRequest { Model = FakeModels.Main, Image = image, ModelVersion = version }, cancellationToken: Ct);
        var embedded = await _client.EmbedAsync(new EmbedRequest { Model = FakeModels.Main, Image = image, ModelVersion = version }, cancellationToken: Ct);

        Assert.Equal(("1", "1"), (classified.ModelVersion, embedded.ModelVersion));
    }

    [Theory]
    [InlineData("2", StatusCode.NotFound, "no version '2'")]
    [InlineData("../1", StatusCode.InvalidArgument, "not a positive integer")]
    public async Task Classify_VersionNotServedOrMalformed_IsRefusedNamingIt(string version, StatusCode expected, string detail)
    {
        var request = new ClassifyRequest { Model = FakeModels.Main, Image = ByteString.CopyFrom(TestImages.Png(1)), ModelVersion = version };

        var error = await Assert.ThrowsAsync<RpcException>(async () => await _client.ClassifyAsync(request, cancellationToken: Ct));

        Assert.Equal(expected, error.StatusCode);
        Assert.Contains(detail, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmbedStream_VersionNotServed_AnswersThatItemWithNotFoundAndGoesOn()
    {
        var image = ByteString.CopyFrom(TestImages.Png(1));
        using var call = _client.EmbedStream(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new EmbedRequest { Id = "a", Model = FakeModels.Main, Image = image, ModelVersion = "7" }, Ct);
        await call.RequestStream.WriteAsync(new EmbedRequest { Id = "b", Model = FakeModels.Main, Image = image, ModelVersion = "1" }, Ct);
        await call.RequestStream.CompleteAsync();

        var items = (await call.ResponseStream.ReadAllAsync(Ct).ToListAsync(Ct)).ToDictionary(r => r.Id);

        Assert.Equal((int)StatusCode.NotFound, items["a"].Error.Code);
        Assert.Null(items["b"].Error);
        Assert.Equal("1", items["b"].ModelVersion);
    }
}
