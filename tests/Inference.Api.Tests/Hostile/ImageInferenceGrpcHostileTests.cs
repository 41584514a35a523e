using Google.Protobuf;
using Grpc.Core;
using Inference.Api.Tests.Support;
using Inference.Contracts.Grpc.V1;

namespace Inference.Api.Tests.Hostile;

/// <summary>
/// The ImageInference gRPC API under hostile input: the image corpus through Classify and Embed, bad top_k, decode
/// modes and model names, and EmbedStream calls that mix bad items with good ones (each bad item fails alone).
/// </summary>
[Collection(HostileCollection.Name)]
[TestCaseOrderer(typeof(GroupCheckLastOrderer))]
public sealed class ImageInferenceGrpcHostileTests(HostileService service) : HostileGroup(service)
{
    private static readonly ByteString Jpeg = ByteString.CopyFrom(TestImages.Jpeg(8401, 64, 48));

    private static readonly IReadOnlyDictionary<string, (string Model, StatusCode Status, string? Keyword)> Models =
        new Dictionary<string, (string, StatusCode, string?)>(StringComparer.Ordinal)
        {
            ["empty"] = ("", StatusCode.InvalidArgument, "model"),
            ["whitespace"] = ("  \t", StatusCode.InvalidArgument, "model"),
            ["unknown"] = ("resnet9000", StatusCode.NotFound, "resnet9000"),
            ["10000-chars"] = (new string('m', 10_000), StatusCode.NotFound, "model"),
            ["path-traversal"] = ("../../etc/passwd", StatusCode.NotFound, "model"),
            ["unicode"] = ("модель-😀-\u202e", StatusCode.NotFound, "model"),
            ["newline"] = ($"{ServiceFactory.Model}\nforged log line", StatusCode.NotFound, "model"),
            ["nul"] = ($"{ServiceFactory.Model}\0", StatusCode.NotFound, "model"),
        };

    private ImageInference.ImageInferenceClient Client => new(Service.Channel);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Images => [.. HostileImages.Sample];

    public static TheoryData<string> ModelNames => [.. Models.Keys];

    public static TheoryData<string> StreamItems => [.. Models.Keys.Concat(["empty-image", "corrupt-image", "truncated-image", "png-bomb"])];

    [Theory]
    [MemberData(nameof(Images))]
    public async Task Classify_HostileImage_AnswersItsVerdict(string image)
    {
        var hostile = HostileImages.All[image];
        await ExpectAsync(() => Client.ClassifyAsync(new ClassifyRequest { Model = ServiceFactory.Model, Image = ByteString.CopyFrom(hostile.Bytes) }, cancellationToken: Ct), hostile.Verdict);
    }

    [Theory]
    [MemberData(nameof(Images))]
    public async Task Embed_HostileImage_AnswersItsVerdict(string image)
    {
        var hostile = HostileImages.All[image];
        await ExpectAsync(() => Client.EmbedAsync(new EmbedRequest { Model = ServiceFactory.Model, Image = ByteString.CopyFrom(hostile.Bytes) }, cancellationToken: Ct), hostile.Verdict);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(-1000)]
    [InlineData(int.MinValue)]
    public async Task Classify_NegativeTopK_IsInvalidArgumentNamingTopK(int topK)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Client.ClassifyAsync(new ClassifyRequest { Model = ServiceFactory.Model, Image = Jpeg, TopK = topK }, cancellationToken: Ct).ResponseAsync);

        HostileAssert.Grpc(error, StatusCode.InvalidArgument, "top_k");
        await Service.AssertReadyAndIdleAsync();
    }

    [Theory]
    [InlineData(1001)]
    [InlineData(int.MaxValue)]
    public async Task Classify_TopKAboveClassCount_FollowsTheTopKRule(int topK)
    {
        var call = Client.ClassifyAsync(new ClassifyRequest { Model = ServiceFactory.Model, Image = Jpeg, TopK = topK }, cancellationToken: Ct);

        if (HostileExpectations.GrpcTopKAboveClassCountReturnsEveryClass)
        {
            Assert.Equal(1000, (await call).Predictions.Count);
        }
        else
        {
            HostileAssert.Grpc(await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync), StatusCode.InvalidArgument, "top_k");
        }

        await Service.AssertReadyAndIdleAsync();
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public async Task ClassifyAndEmbed_UnknownDecodeMode_IsInvalidArgument(int mode)
    {
        var classify = await Assert.ThrowsAsync<RpcException>(() => Client.ClassifyAsync(
            new ClassifyRequest { Model = ServiceFactory.Model, Image = Jpeg, DecodeMode = (DecodeMode)mode }, cancellationToken: Ct).ResponseAsync);
        var embed = await Assert.ThrowsAsync<RpcException>(() => Client.EmbedAsync(
            new EmbedRequest { Model = ServiceFactory.Model, Image = Jpeg, DecodeMode = (DecodeMode)mode }, cancellationToken: Ct).ResponseAsync);

        HostileAssert.Grpc(classify, StatusCode.InvalidArgument, "decode_mode");
        HostileAssert.Grpc(embed, StatusCode.InvalidArgument, "decode_mode");
        await Service.AssertReadyAndIdleAsync();
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public async Task ClassifyEmbedAndGetModel_HostileModelName_AnswersTheRightStatusWithABoundedMessage(string name)
    {
        var (model, status, keyword) = Models[name];

        var classify = await Assert.ThrowsAsync<RpcException>(() =>
            Client.ClassifyAsync(new ClassifyRequest { Model = model, Image = Jpeg }, cancellationToken: Ct).ResponseAsync);
        var embed = await Assert.ThrowsAsync<RpcException>(() =>
            Client.EmbedAsync(new EmbedRequest { Model = model, Image = Jpeg }, cancellationToken: Ct).ResponseAsync);
        var get = await Assert.ThrowsAsync<RpcException>(() => Client.GetModelAsync(new GetModelRequest { Name = model }, cancellationToken: Ct).ResponseAsync);

        HostileAssert.Grpc(classify, status, keyword);
        HostileAssert.Grpc(embed, status, keyword);
        HostileAssert.Grpc(get, status, keyword);
        await Service.AssertReadyAndIdleAsync();
    }

    [Theory]
    [MemberData(nameof(StreamItems))]
    public async Task EmbedStream_BadItemsAmongGoodOnes_FailAloneWithTheirStatus(string bad)
    {
        var (badRequest, status, keyword) = bad switch
        {
            "empty-image" => (new EmbedRequest { Model = ServiceFactory.WideModel, Image = ByteString.Empty }, StatusCode.InvalidArgument, "empty"),
            "corrupt-image" => (new EmbedRequest { Model = ServiceFactory.WideModel, Image = ByteString.CopyFrom(HostileImages.Random(31, 800)) }, StatusCode.InvalidArgument, "image"),
            "truncated-image" => (new EmbedRequest { Model = ServiceFactory.WideModel, Image = ByteString.CopyFrom(Jpeg.Span[..(Jpeg.Length / 2)]) }, StatusCode.InvalidArgument, "image"),
            "png-bomb" => (new EmbedRequest { Model = ServiceFactory.WideModel, Image = ByteString.CopyFrom(HostileImages.All["png-bomb-100000x100000"].Bytes) }, HostileExpectations.PixelLimitGrpc, "limit"),
            _ => (new EmbedRequest { Model = Models[bad].Model, Image = Jpeg }, Models[bad].Status, Models[bad].Keyword),
        };

        using var call = Client.EmbedStream(cancellationToken: Ct);
        var reading = call.ResponseStream.ReadAllAsync(Ct).ToListAsync(Ct).AsTask();
        for (var i = 0; i < 3; i++)
        {
            var item = i % 2 == 0 ? badRequest.Clone() : new EmbedRequest { Model = ServiceFactory.WideModel, Image = Jpeg };
            item.Id = $"{i}";
            await call.RequestStream.WriteAsync(item, Ct);
        }

        await call.RequestStream.CompleteAsync();
        var responses = (await reading).ToDictionary(static r => int.Parse(r.Id, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(Enumerable.Range(0, 3), responses.Keys.Order());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        foreach (var (id, response) in responses)
        {
            if (id % 2 == 0)
            {
                Assert.True(response.Error is not null, $"Item {id} ({bad}) was answered without an error.");
                Assert.True((int)status == response.Error.Code, $"Item {id}: expected {status}, got {(StatusCode)response.Error.Code}: {response.Error.Message}");
                HostileAssert.Message(response.Error.Message, keyword);
            }
            else
            {
                Assert.True(response.Error is null, $"Good item {id} failed: {(StatusCode?)response.Error?.Code} {response.Error?.Message}");
                Assert.Equal(512, response.Embedding.Count);
            }
        }

        await Service.AssertReadyAndIdleAsync();
    }

    [Fact]
    public Task ImageInferenceGrpc_AfterAllCases_ServiceStillServes() => Service.AssertStillServingAsync();

    private async Task ExpectAsync<T>(Func<AsyncUnaryCall<T>> call, ImageVerdict verdict)
    {
        var (status, keyword) = verdict switch
        {
            ImageVerdict.Accepted => (StatusCode.OK, (string?)null),
            ImageVerdict.Empty => (StatusCode.InvalidArgument, "empty"),
            ImageVerdict.OverPixelLimit => (HostileExpectations.PixelLimitGrpc, "limit"),
            ImageVerdict.OverByteLimit => (StatusCode.ResourceExhausted, "limit"),
            _ => (StatusCode.InvalidArgument, "image"),
        };

        if (status == StatusCode.OK)
        {
            Assert.NotNull(await call());
        }
        else
        {
            HostileAssert.Grpc(await Assert.ThrowsAsync<RpcException>(() => call().ResponseAsync), status, keyword);
        }

        await Service.AssertReadyAndIdleAsync();
    }
}
