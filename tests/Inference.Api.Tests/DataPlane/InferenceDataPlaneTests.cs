using Google.Protobuf;
using Grpc.Core;
using Inference.Api.DataPlane;
using Inference.Api.Errors;
using Inference.Api.Tests.Grpc.TestHost;
using Inference.Api.Tests.OpenInference;
using Inference.Contracts.Grpc.V1;
using Inference.Contracts.OpenInference;
using Inference.Engine.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Api.Tests.DataPlane;

/// <summary>The rules the data plane holds once for every protocol.</summary>
public sealed class InferenceDataPlaneTests : IAsyncLifetime
{
    private InferenceTestHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await InferenceTestHost.StartAsync();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Theory]
    [InlineData(0, 1000, 5)]
    [InlineData(0, 3, 3)]
    [InlineData(1, 1000, 1)]
    [InlineData(1000, 1000, 1000)]
    [InlineData(5000, 1000, 1000)]
    public void TopK_ZeroOrOverTheClassCount_IsTheDefaultOrClamped(long requested, int classes, int expected) =>
        Assert.Equal(expected, InferenceDataPlane.TopK(requested, classes));

    [Fact]
    public void TopK_Negative_IsRefusedNamingTheParameter()
    {
        var error = Assert.Throws<ApiException>(() => InferenceDataPlane.TopK(-1, 1000, "classification"));

        Assert.Equal(ApiErrorCode.InvalidParameter, error.Code);
        Assert.StartsWith("classification", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Requests over different protocols land in the engine's one statistics source, which the OIP ModelStatistics read:
    /// a failed image counts as a failed request, an unknown model reaches no model and is not counted.
    /// </summary>
    [Fact]
    public async Task Requests_OverEveryProtocol_AreCountedOnceInTheEngineStatistics()
    {
        var images = new ImageInference.ImageInferenceClient(_host.Channel);
        var oip = new GRPCInferenceService.GRPCInferenceServiceClient(_host.Channel);
        await images.ClassifyAsync(new ClassifyRequest { Model = FakeModels.Main, Image = ByteString.CopyFrom(TestImages.Png(1)) }, cancellationToken: Ct);
        await oip.ModelInferAsync(OipRequests.Images(TestImages.Png(2), TestImages.Png(3)), cancellationToken: Ct);
        await Assert.ThrowsAsync<RpcException>(() => images.EmbedAsync(
            new EmbedRequest { Model = FakeModels.Main, Image = ByteString.CopyFrom(TestImages.Corrupt) }, cancellationToken: Ct).ResponseAsync);
        await Assert.ThrowsAsync<RpcException>(() => images.EmbedAsync(
            new EmbedRequest { Model = "nope", Image = ByteString.CopyFrom(TestImages.Png(4)) }, cancellationToken: Ct).ResponseAsync);

        var engine = _host.Services.GetRequiredService<IEngineStatistics>().Snapshot(FakeModels.Main);
        var stats = Assert.Single((await oip.ModelStatisticsAsync(new ModelStatisticsRequest { Name = FakeModels.Main }, cancellationToken: Ct)).ModelStats);

        Assert.Equal((2L, 1L, 3L), (engine.Success.Count, engine.Fail.Count, engine.ImagesAnswered));
        Assert.Equal((2UL, 1UL), (stats.InferenceStats.Success.Count, stats.InferenceStats.Fail.Count));
    }
}
