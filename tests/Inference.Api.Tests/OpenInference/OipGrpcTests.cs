using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Inference.Api.Tests.Grpc.TestHost;
using Inference.Contracts.OpenInference;
using Inference.Engine.Diagnostics;
using Inference.Engine.Postprocessing;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Api.Tests.OpenInference;

public sealed class OipGrpcTests : IAsyncLifetime
{
    private InferenceTestHost _host = null!;
    private GRPCInferenceService.GRPCInferenceServiceClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _host = await InferenceTestHost.StartAsync();
        _client = new GRPCInferenceService.GRPCInferenceServiceClient(_host.Channel);
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task HealthRpcs_OneModelLoading_ReportLiveNotReadyAndPerModel()
    {
        Assert.True((await _client.ServerLiveAsync(new ServerLiveRequest(), cancellationToken: Ct)).Live);
        Assert.False((await _client.ServerReadyAsync(new ServerReadyRequest(), cancellationToken: Ct)).Ready);
        Assert.True((await _client.ModelReadyAsync(new ModelReadyRequest { Name = FakeModels.Main }, cancellationToken: Ct)).Ready);
        Assert.False((await _client.ModelReadyAsync(new ModelReadyRequest { Name = FakeModels.Loading }, cancellationToken: Ct)).Ready);
        Assert.False((await _client.ModelReadyAsync(new ModelReadyRequest { Name = FakeModels.Main, Version = "9" }, cancellationToken: Ct)).Ready);
    }

    [Fact]
    public async Task ServerMetadata_Always_ListsExactlyTheImplementedExtensions()
    {
        var metadata = await _client.ServerMetadataAsync(new ServerMetadataRequest(), cancellationToken: Ct);

        Assert.Equal("image-inference", metadata.Name);
        Assert.Equal(["classification", "binary_tensor_data", "model_configuration", "statistics"], metadata.Extensions);
    }

    [Fact]
    public async Task ModelMetadata_BatchedModel_ListsInputAndAllOutputsWithBatchDimension()
    {
        var metadata = await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = FakeModels.Main }, cancellationToken: Ct);

        Assert.Equal(["1"], metadata.Versions);
        var input = Assert.Single(metadata.Inputs);
        Assert.Equal(("input", "FP32"), (input.Name, input.Datatype));
        Assert.Equal([-1L, 3, 224, 224], input.Shape);
        Assert.Equal(["logits", "probabilities", "embedding"], metadata.Outputs.Select(o => o.Name));
        Assert.Equal([-1L, FakeModels.EmbeddingDimension], metadata.Outputs[2].Shape);
        Assert.All(metadata.Outputs, o => Assert.Equal(-1L, o.Shape[0]));
    }

    [Fact]
    public async Task ModelConfig_BatchedModel_HasMaxBatchAndDimsWithoutBatch()
    {
        var config = (await _client.ModelConfigAsync(new ModelConfigRequest { Name = FakeModels.Main }, cancellationToken: Ct)).Config;

        Assert.Equal(8, config.MaxBatchSize);
        Assert.Equal([3L, 224, 224], config.Input[0].Dims);
        Assert.Equal(DataType.TypeFp32, config.Input[0].DataType);
        Assert.Equal([FakeModels.Classes], config.Output[0].Dims.Select(d => (int)d));
        Assert.NotNull(config.DynamicBatching);
    }

    [Fact]
    public async Task ModelInfer_EncodedImages_ReturnLogitsOfEachImage()
    {
        var images = new[] { TestImages.Png(1), TestImages.Png(2) };

        var response = await _client.ModelInferAsync(OipRequests.Images(images), cancellationToken: Ct);

        Assert.Equal("r1", response.Id);
        var output = Assert.Single(response.Outputs);
        Assert.Equal(("logits", "FP32"), (output.Name, output.Datatype));
        Assert.Equal([2L, FakeModels.Classes], output.Shape);
        var logits = OipRequests.Floats(response.RawOutputContents[0]);
        for (var i = 0; i < images.Length; i++)
        {
            var expected = FakeInferenceEngine.Compute(OipRequests.Preprocess(_host.Services, images[i])).Logits;
            Assert.Equal(expected, logits.AsSpan(i * FakeModels.Classes, FakeModels.Classes).ToArray());
        }
    }

    [Fact]
    public async Task ModelInfer_Fp32OfPreprocessedImage_GivesSameLogitsAsEncodedImage()
    {
        var image = TestImages.Png(3);
        var chw = OipRequests.Preprocess(_host.Services, image);
        var typed = OipRequests.Tensor([]);
        typed.RawInputContents.Clear();
        typed.Inputs[0].Contents = new InferTensorContents { Fp32Contents = { chw } };

        var fromBytes = await _client.ModelInferAsync(OipRequests.Images(image), cancellationToken: Ct);
        var fromRaw = await _client.ModelInferAsync(OipRequests.Tensor(chw), cancellationToken: Ct);
        var fromTyped = await _client.ModelInferAsync(typed, cancellationToken: Ct);

        Assert.Equal(OipRequests.Floats(fromBytes.RawOutputContents[0]), OipRequests.Floats(fromRaw.RawOutputContents[0]));
        Assert.Equal(OipRequests.Floats(fromBytes.RawOutputContents[0]), OipRequests.Floats(fromTyped.RawOutputContents[0]));
    }

    [Fact]
    public async Task ModelInfer_NamedOutputs_ReturnProbabilitiesAndEmbedding()
    {
        var image = TestImages.Png(4);
        var request = OipRequests.Images(image).WithOutput("probabilities").WithOutput("embedding");

        var response = await _client.ModelInferAsync(request, cancellationToken: Ct);

        var (logits, embedding) = FakeInferenceEngine.Compute(OipRequests.Preprocess(_host.Services, image));
        var probabilities = new float[logits.Length];
        Classification.Softmax(logits, probabilities);
        Assert.Equal(["probabilities", "embedding"], response.Outputs.Select(o => o.Name));
        Assert.Equal(probabilities, OipRequests.Floats(response.RawOutputContents[0]));
        Assert.Equal(embedding, OipRequests.Floats(response.RawOutputContents[1]));
    }

    [Theory]
    [InlineData("logits")]
    [InlineData("probabilities")]
    public async Task ModelInfer_Classification_ReturnsValueIndexLabelOfThatOutput(string output)
    {
        var images = new[] { TestImages.Png(5), TestImages.Png(6) };
        var request = OipRequests.Images(images).WithOutput(output, classification: 3);

        var response = await _client.ModelInferAsync(request, cancellationToken: Ct);

        var tensor = Assert.Single(response.Outputs);
        Assert.Equal("BYTES", tensor.Datatype);
        Assert.Equal([2L, 3], tensor.Shape);
        var strings = OipRequests.Strings(response.RawOutputContents[0].Span);
        for (var i = 0; i < images.Length; i++)
        {
            var logits = FakeInferenceEngine.Compute(OipRequests.Preprocess(_host.Services, images[i])).Logits;
            var values = logits.ToArray();
            if (output == "probabilities")
            {
                Classification.Softmax(logits, values);
            }

            var top = Classification.TopK(logits, 3, FakeModels.Ready());
            var expected = top.Select(p => $"{values[p.Index].ToString("F6", CultureInfo.InvariantCulture)}:{p.Index}:class-{p.Index}");
            Assert.Equal(expected, strings.Skip(i * 3).Take(3));
        }
    }

    [Fact]
    public async Task ModelStatistics_NoName_ReportsEveryModelFromTheSharedTotals()
    {
        var engine = (EngineStatistics)_host.Services.GetRequiredService<IEngineStatistics>();
        engine.QueueWaited(FakeModels.Main, "1", TimeSpan.FromMilliseconds(4));
        engine.BatchRan(FakeModels.Main, "1", 1, TimeSpan.FromMilliseconds(9));
        engine.RequestCompleted(FakeModels.Main, "1", succeeded: false, images: 1, TimeSpan.FromMilliseconds(1));

        var stats = await _client.ModelStatisticsAsync(new ModelStatisticsRequest(), cancellationToken: Ct);

        Assert.Equal(_host.Catalog.List().Select(m => m.Name), stats.ModelStats.Select(m => m.Name));
        var main = Assert.Single(stats.ModelStats, m => m.Name == FakeModels.Main);
        Assert.Equal((1UL, 1UL), (main.InferenceCount, main.ExecutionCount));
        Assert.Equal((1UL, 4_000_000UL), (main.InferenceStats.Queue.Count, main.InferenceStats.Queue.Ns));
        Assert.Equal((0UL, 1UL), (main.InferenceStats.Success.Count, main.InferenceStats.Fail.Count));
        Assert.All(stats.ModelStats.Where(m => m.Name != FakeModels.Main), m => Assert.Equal(0UL, m.InferenceCount));
    }

    [Fact]
    public async Task ModelInfer_QueueFull_IsResourceExhausted()
    {
        _host.Engine.QueueCapacity = 0;

        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ModelInferAsync(OipRequests.Images(TestImages.Png(1)), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }
}
