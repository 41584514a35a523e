using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Inference.Api.Tests.Grpc.RealService;
using Inference.Api.Tests.Support;
using Inference.Contracts.Grpc.V1;
using Inference.Contracts.OpenInference;

namespace Inference.Api.Tests.OpenInference.RealService;

/// <summary>Every inference.GRPCInferenceService RPC against the real service (test18: batch 2; wide18: batch 8).</summary>
[Collection(ServiceTests.Name)]
public sealed class OipGrpcRealServiceTests(ServiceFixture service) : IDisposable
{
    private readonly GrpcChannel _channel = RealServiceGrpc.Channel(service.Factory);

    private GRPCInferenceService.GRPCInferenceServiceClient Client => new(_channel);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _channel.Dispose();

    [Fact]
    public async Task HealthRpcs_ReadyService_AreLiveReadyAndPerModelVersion()
    {
        Assert.True((await Client.ServerLiveAsync(new ServerLiveRequest(), cancellationToken: Ct)).Live);
        Assert.True((await Client.ServerReadyAsync(new ServerReadyRequest(), cancellationToken: Ct)).Ready);
        Assert.True((await Client.ModelReadyAsync(new ModelReadyRequest { Name = ServiceFactory.Model }, cancellationToken: Ct)).Ready);
        Assert.True((await Client.ModelReadyAsync(new ModelReadyRequest { Name = ServiceFactory.WideModel, Version = "1" }, cancellationToken: Ct)).Ready);
        Assert.False((await Client.ModelReadyAsync(new ModelReadyRequest { Name = ServiceFactory.Model, Version = "2" }, cancellationToken: Ct)).Ready);
        Assert.False((await Client.ModelReadyAsync(new ModelReadyRequest { Name = "resnet9000" }, cancellationToken: Ct)).Ready);
    }

    [Fact]
    public async Task ServerMetadata_Always_NamesServerVersionAndExtensions()
    {
        var metadata = await Client.ServerMetadataAsync(new ServerMetadataRequest(), cancellationToken: Ct);

        Assert.Equal("image-inference", metadata.Name);
        Assert.False(string.IsNullOrWhiteSpace(metadata.Version));
        Assert.Equal(["classification", "binary_tensor_data", "model_configuration", "statistics"], metadata.Extensions);
    }

    [Fact]
    public async Task ModelMetadata_RealResNet18_DescribesInputAndThreeOutputs()
    {
        var metadata = await Client.ModelMetadataAsync(new ModelMetadataRequest { Name = ServiceFactory.Model }, cancellationToken: Ct);

        Assert.Equal((ServiceFactory.Model, "onnxruntime_onnx"), (metadata.Name, metadata.Platform));
        Assert.Equal(["1"], metadata.Versions);
        var input = Assert.Single(metadata.Inputs);
        Assert.Equal(("input", "FP32"), (input.Name, input.Datatype));
        Assert.Equal([-1L, 3, 224, 224], input.Shape);
        Assert.Equal([("logits", -1L, 1000L), ("probabilities", -1L, 1000L), ("embedding", -1L, 512L)],
            metadata.Outputs.Select(o => (o.Name, o.Shape[0], o.Shape[1])));
        Assert.All(metadata.Outputs, o => Assert.Equal("FP32", o.Datatype));
    }

    [Theory]
    [InlineData(ServiceFactory.Model, 2)]
    [InlineData(ServiceFactory.WideModel, 8)]
    public async Task ModelConfig_RealModel_HasItsMaxBatchAndDimsWithoutTheBatch(string model, int maxBatch)
    {
        var config = (await Client.ModelConfigAsync(new ModelConfigRequest { Name = model }, cancellationToken: Ct)).Config;

        Assert.Equal((model, maxBatch), (config.Name, config.MaxBatchSize));
        Assert.NotNull(config.DynamicBatching);
        Assert.Equal([3L, 224, 224], Assert.Single(config.Input).Dims);
        Assert.Equal([("logits", 1000L), ("probabilities", 1000L), ("embedding", 512L)], config.Output.Select(o => (o.Name, Assert.Single(o.Dims))));
        Assert.Equal(ModelInstanceGroup.Types.Kind.Cpu, Assert.Single(config.InstanceGroup).Kind);
    }

    [Fact]
    public async Task ModelStatistics_AfterInfers_CountSuccessesImagesAndFailures()
    {
        var before = await Statistics();

        await Client.ModelInferAsync(RealOip.Images(ServiceFactory.Model, TestImages.Jpeg(601), TestImages.Jpeg(602)), cancellationToken: Ct);
        await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(RealOip.Images(ServiceFactory.Model, "junk"u8.ToArray()), cancellationToken: Ct).ResponseAsync);
        var after = await Statistics();

        Assert.Equal(2UL, after.InferenceCount - before.InferenceCount);
        Assert.Equal(1UL, after.InferenceStats.Success.Count - before.InferenceStats.Success.Count);
        Assert.Equal(1UL, after.InferenceStats.Fail.Count - before.InferenceStats.Fail.Count);
        Assert.InRange(after.ExecutionCount - before.ExecutionCount, 1UL, 2UL);
        Assert.True(after.InferenceStats.Success.Ns > before.InferenceStats.Success.Ns);
        Assert.True(after.LastInference > 0);
        // Per image: two preprocessed (the junk one failed to decode), queued and run.
        Assert.Equal(2UL, after.InferenceStats.ComputeInput.Count - before.InferenceStats.ComputeInput.Count);
        Assert.Equal(2UL, after.InferenceStats.Queue.Count - before.InferenceStats.Queue.Count);
        Assert.Equal(2UL, after.InferenceStats.ComputeInfer.Count - before.InferenceStats.ComputeInfer.Count);
        Assert.True(after.InferenceStats.ComputeInfer.Ns > before.InferenceStats.ComputeInfer.Ns);
        Assert.True(after.InferenceStats.ComputeInput.Ns > before.InferenceStats.ComputeInput.Ns);
        Assert.Equal(after.ExecutionCount, after.BatchStats.Aggregate(0UL, (sum, b) => sum + b.ComputeInfer.Count));
        Assert.Equal(after.InferenceCount, after.BatchStats.Aggregate(0UL, (sum, b) => sum + (b.BatchSize * b.ComputeInfer.Count)));
    }

    [Fact]
    public async Task ModelStatistics_AfterRestAndImageInferenceCalls_CountThemToo()
    {
        var before = await Statistics();

        using (var classified = await service.Client.PostToAsync($"/v1/models/{ServiceFactory.Model}/classify", Requests.Image(TestImages.Jpeg(620))))
        {
            Assert.True(classified.IsSuccessStatusCode, await classified.Content.ReadAsStringAsync(Ct));
        }

        await new ImageInference.ImageInferenceClient(_channel).EmbedAsync(
            new EmbedRequest { Model = ServiceFactory.Model, Image = ByteString.CopyFrom(TestImages.Jpeg(621)) }, cancellationToken: Ct);
        var after = await Statistics();

        Assert.Equal(2UL, after.InferenceCount - before.InferenceCount);
        Assert.Equal(2UL, after.InferenceStats.Success.Count - before.InferenceStats.Success.Count);
        Assert.Equal(0UL, after.InferenceStats.Fail.Count - before.InferenceStats.Fail.Count);
    }

    [Fact]
    public async Task ModelInfer_EncodedImagesRawOrTyped_ReturnLogitsAndEmbeddingOfEachImage()
    {
        byte[][] images = [TestImages.Jpeg(610), TestImages.Png(611)];
        var image = new ImageInference.ImageInferenceClient(_channel);

        var raw = await Client.ModelInferAsync(RealOip.Images(ServiceFactory.WideModel, images).WithOutput("logits").WithOutput("embedding"), cancellationToken: Ct);
        var typed = await Client.ModelInferAsync(RealOip.TypedImages(ServiceFactory.WideModel, images).WithOutput("embedding"), cancellationToken: Ct);

        Assert.Equal(("real", ServiceFactory.WideModel, "1"), (raw.Id, raw.ModelName, raw.ModelVersion));
        Assert.Equal([("logits", "FP32", 2L, 1000L), ("embedding", "FP32", 2L, 512L)], raw.Outputs.Select(o => (o.Name, o.Datatype, o.Shape[0], o.Shape[1])));
        var logits = OipRequests.Floats(raw.RawOutputContents[0]);
        var embeddings = OipRequests.Floats(raw.RawOutputContents[1]);
        Assert.Equal(embeddings, OipRequests.Floats(typed.RawOutputContents[0]));
        for (var i = 0; i < images.Length; i++)
        {
            var embed = await image.EmbedAsync(new EmbedRequest { Model = ServiceFactory.WideModel, Image = ByteString.CopyFrom(images[i]) }, cancellationToken: Ct);
            var top = await image.ClassifyAsync(new ClassifyRequest { Model = ServiceFactory.WideModel, Image = ByteString.CopyFrom(images[i]), TopK = 1 }, cancellationToken: Ct);
            Assert.Equal(embed.Embedding, embeddings.AsSpan(i * 512, 512).ToArray());
            var row = logits.AsSpan(i * 1000, 1000).ToArray();
            Assert.Equal(top.Predictions[0].Index, Array.IndexOf(row, row.Max()));
        }
    }

    public static TheoryData<string, StatusCode, string> BadRequests => new()
    {
        { "INT32 datatype", StatusCode.InvalidArgument, "datatype 'INT32'" },
        { "FP32 [1,3,100,224]", StatusCode.InvalidArgument, "shape [1,3,100,224]" },
        { "FP32 [1,3,224,224] with 100 values", StatusCode.InvalidArgument, "100 FP32 values" },
        { "FP32 [1,4,224,224]", StatusCode.InvalidArgument, "shape [1,4,224,224]" },
        { "BYTES shape [2] with one image", StatusCode.InvalidArgument, "shape [N]" },
        { "input named image", StatusCode.InvalidArgument, "exactly one input, 'input'" },
        { "output features", StatusCode.InvalidArgument, "no output 'features'" },
        { "corrupt image", StatusCode.InvalidArgument, "not a supported image format" },
        { "unknown model", StatusCode.NotFound, "'resnet9000' is not served" },
        { "unknown version", StatusCode.NotFound, "no version '7'" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task ModelInfer_BadRequest_MapsToStatusNamingTheProblem(string scenario, StatusCode expected, string detail)
    {
        var jpeg = TestImages.Jpeg(620);
        var request = scenario switch
        {
            "INT32 datatype" => RealOip.Tensor(ServiceFactory.Model, new float[3 * 224 * 224]).Also(r => r.Inputs[0].Datatype = "INT32"),
            "FP32 [1,3,100,224]" => RealOip.Tensor(ServiceFactory.Model, new float[3 * 224 * 224]).Also(r => r.Inputs[0].Shape[2] = 100),
            "FP32 [1,3,224,224] with 100 values" => RealOip.Tensor(ServiceFactory.Model, new float[3 * 224 * 224]).Also(r =>
                r.RawInputContents[0] = ByteString.CopyFrom(new byte[400])),
            "FP32 [1,4,224,224]" => RealOip.Tensor(ServiceFactory.Model, new float[3 * 224 * 224]).Also(r => r.Inputs[0].Shape[1] = 4),
            "BYTES shape [2] with one image" => RealOip.Images(ServiceFactory.Model, jpeg).Also(r => r.Inputs[0].Shape[0] = 2),
            "input named image" => RealOip.Images(ServiceFactory.Model, jpeg).Also(r => r.Inputs[0].Name = "image"),
            "output features" => RealOip.Images(ServiceFactory.Model, jpeg).WithOutput("features"),
            "corrupt image" => RealOip.Images(ServiceFactory.Model, "junk"u8.ToArray()),
            "unknown model" => RealOip.Images("resnet9000", jpeg),
            _ => RealOip.Images(ServiceFactory.Model, jpeg).Also(r => r.ModelVersion = "7"),
        };

        var error = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(request, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(expected, error.StatusCode);
        Assert.Contains(detail, error.Status.Detail, StringComparison.Ordinal);
    }

    private async Task<ModelStatistics> Statistics() =>
        Assert.Single((await Client.ModelStatisticsAsync(new ModelStatisticsRequest { Name = ServiceFactory.Model }, cancellationToken: Ct)).ModelStats);
}
